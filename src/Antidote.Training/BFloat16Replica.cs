using System.Runtime.CompilerServices;
using Antidote.Core;
using Antidote.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Antidote.Training;

/// <summary>
/// Mixed-precision arithmetic without autocast (TorchSharp 0.107 has none): a bfloat16 copy of a float32 model runs the
/// forward and backward passes, while the float32 model keeps the master weights the optimizer steps, so updates smaller
/// than bfloat16's 8-bit mantissa are not lost. Before a step the copy takes the master's weights; after the backward pass
/// its gradients are added to the master's (a loss may also reach the master directly, as D3's distance term does); after
/// an epoch its norm statistics go back to the master. Norm layers stay float32 in the copy.
/// </summary>
public sealed class BFloat16Replica : IDisposable
{
    // The copy each training run steps, by its master: evaluation between epochs (D3's clean hinge, an attack's test metrics)
    // scores through it instead of building another (2-20 ms a time, measured).
    private static readonly ConditionalWeakTable<ImageClassifier, BFloat16Replica> Training = new();

    private readonly ImageClassifier master;
    private readonly (Tensor Master, Tensor Copy)[] parameters;
    private readonly (Tensor Master, Tensor Copy)[] buffers;

    private BFloat16Replica(ImageClassifier master, ImageClassifier copy)
    {
        this.master = master;
        Model = copy;
        var copyParameters = copy.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        parameters = [.. master.named_parameters().Select(p => ((Tensor)p.parameter, copyParameters[p.name]))];
        var copyBuffers = copy.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        buffers = [.. master.named_buffers().Select(b => (b.buffer, copyBuffers[b.name]))];
        using var _ = no_grad();
        foreach (var (from, to) in buffers) to.copy_(from);
        PullWeights();
    }

    /// <summary>The bfloat16 copy: what the forward and backward passes run on.</summary>
    public ImageClassifier Model { get; }

    /// <summary>A bfloat16 copy of <paramref name="master"/> with its current weights and statistics. Building it draws no
    /// random numbers (the generator's state is put back), so the run's data order and augmentation stay the seed's.</summary>
    public static BFloat16Replica Of(ImageClassifier master)
    {
        var state = torch.get_rng_state();
        ImageClassifier copy;
        try
        {
            copy = master.NewOfSameKind()
                   ?? throw new AntidoteException($"bfloat16 arithmetic needs a model built by name ({master.GetType().Name} was built another way)");
        }
        finally
        {
            torch.set_rng_state(state);
            state.Dispose();
        }
        var device = master.parameters().First().device;
        copy.to(device);
        copy.CastForCompute(ScalarType.BFloat16);
        copy.train(master.training);
        return new BFloat16Replica(master, copy);
    }

    /// <summary>A copy that <see cref="InTraining"/> hands out for <paramref name="master"/> until it is disposed: the trainer's.</summary>
    public static BFloat16Replica ForTraining(ImageClassifier master)
    {
        var replica = Of(master);
        Training.AddOrUpdate(master, replica);
        return replica;
    }

    /// <summary>The copy a training run is stepping for <paramref name="master"/>, or null. Its weights are those of the last
    /// step's start until <see cref="PullWeights"/>; its norm statistics are the master's after each epoch's <see cref="PushStatistics"/>.</summary>
    public static BFloat16Replica? InTraining(ImageClassifier master) => Training.TryGetValue(master, out var replica) ? replica : null;

    /// <summary>Copies the master's weights into the copy (rounded to bfloat16 where the copy computes in it). Statistics are
    /// not pulled: the copy's forward passes keep them (<see cref="PushStatistics"/>).</summary>
    public void PullWeights()
    {
        using var _ = no_grad();
        foreach (var (from, to) in parameters) to.copy_(from);
    }

    /// <summary>Adds the copy's gradients to the master's, as float32, and clears the copy's.</summary>
    public void PushGradients()
    {
        using var _ = no_grad();
        foreach (var (to, from) in parameters)
        {
            if (from.grad is not { } gradient) continue;
            if (to.grad is { } existing) existing.add_(gradient);
            else to.grad = gradient.to(to.dtype);
            from.grad = null;
        }
    }

    /// <summary>Copies the copy's norm statistics (updated by its forward passes in train mode) back to the master.</summary>
    public void PushStatistics()
    {
        using var _ = no_grad();
        foreach (var (to, from) in buffers) to.copy_(from);
    }

    public void Dispose()
    {
        if (Training.TryGetValue(master, out var registered) && ReferenceEquals(registered, this))
            Training.Remove(master);
        Model.Dispose();
    }
}
