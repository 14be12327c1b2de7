using Antidote.Attacks;
using Antidote.Attacks.Recorded;
using Antidote.Core;
using Antidote.Data;
using Antidote.Tests.TestKit;
using static TorchSharp.torch;

namespace Antidote.Tests.Attacks;

public class RecordedAttackTests
{
    private static readonly DatasetInfo Info = new("t", 3, 4, 5, 3, [0f, 0f, 0f], [1f, 1f, 1f], 0, false);

    private static RecordedAttack Attack() =>
        new(new AttackRequest(Info, new AttackSettings(Target: 0), new RecordedOptions("backdoorbench:x")), new RecordedOptions("backdoorbench:x"));

    [Fact]
    public void Recorded_images_come_back_for_their_rows_after_a_round_trip_through_the_run_folder()
    {
        using var temp = new TempDirectory();
        using var scope = NewDisposeScope();
        var images = randint(0, 256, [3, 3, 4, 5], dtype: ScalarType.Byte);
        using (var attack = Attack())
        {
            attack.Record(images, [7, 2, 5]);
            attack.SaveArtifacts(temp.Path);
        }
        using var loaded = Attack();
        loaded.LoadArtifacts(temp.Path);
        var clean = zeros([2, 3, 4, 5]);
        var triggered = loaded.Poison(clean, PoisonRole.Poisoned, DataSplit.Test, [5, 7]);
        Assert.True(triggered.allclose(stack([images[2], images[0]]).to_type(ScalarType.Float32) / 255f, rtol: 0, atol: 0));
    }

    [Fact]
    public void Rows_the_record_does_not_hold_training_rows_and_new_images_are_refused()
    {
        using var scope = NewDisposeScope();
        using var attack = Attack();
        attack.Record(zeros([2, 3, 4, 5], ScalarType.Byte), [1, 2]);
        var clean = zeros([1, 3, 4, 5]);
        Assert.Contains("no triggered image of test row 3", Assert.Throws<AntidoteException>(() => attack.Poison(clean, PoisonRole.Poisoned, DataSplit.Test, [3])).Message);
        Assert.Throws<AntidoteException>(() => attack.Poison(clean, PoisonRole.Poisoned, DataSplit.Train, [1]));
        Assert.Throws<AntidoteException>(() => attack.ApplyTrigger(clean));
        Assert.Throws<AntidoteException>(() => attack.Record(zeros([1, 3, 4, 6], ScalarType.Byte), [0]));
    }
}
