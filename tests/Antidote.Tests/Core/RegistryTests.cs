using Antidote.Core;
using Antidote.Core.Registries;

namespace Antidote.Tests.Core;

public class RegistryTests
{
    private sealed record Entry(string Name, string Summary = "s", string Source = "src") : IRegistryEntry;

    [Fact]
    public void Unknown_name_is_a_user_error_listing_the_known_names()
    {
        var registry = new Registry<Entry>("widget").Register(new Entry("alpha")).Register(new Entry("beta"));
        var error = Assert.Throws<AntidoteException>(() => registry.Get("gamma"));
        Assert.Equal("unknown widget 'gamma'; known: alpha, beta", error.Message);
    }

    [Fact]
    public void Registering_a_name_twice_throws()
    {
        var registry = new Registry<Entry>("widget").Register(new Entry("alpha"));
        Assert.Throws<InvalidOperationException>(() => registry.Register(new Entry("ALPHA")));
    }

    [Fact]
    public void Lookup_ignores_case_and_keeps_registration_order()
    {
        var registry = new Registry<Entry>("widget").Register(new Entry("b")).Register(new Entry("a"));
        Assert.Equal("a", registry.Get("A").Name);
        Assert.Equal(["b", "a"], registry.Names);
    }
}
