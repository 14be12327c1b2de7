using Antidote.Core.Runtime;

namespace Antidote.Tests.Core;

public class SeedsTests
{
    [Fact]
    public void Derived_seeds_are_stable_and_differ_by_purpose_and_seed()
    {
        Assert.Equal(Seeds.Derive(7, "poison"), Seeds.Derive(7, "poison"));
        Assert.NotEqual(Seeds.Derive(7, "poison"), Seeds.Derive(7, "order"));
        Assert.NotEqual(Seeds.Derive(7, "poison"), Seeds.Derive(8, "poison"));
    }
}
