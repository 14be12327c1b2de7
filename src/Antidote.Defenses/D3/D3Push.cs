namespace Antidote.Defenses.D3;

/// <summary>Which weights D3 pushes away from their initial values (θ_s); every other weight trains on the clean term only.</summary>
public enum D3Push
{
    /// <summary>The final linear classifier (the reference code's choice for PreAct-ResNet18 on CIFAR-10).</summary>
    Classifier,

    /// <summary>The last feature stage (as the model declares it) and the classifier.</summary>
    LastStage,

    /// <summary>Every Linear and Conv2d weight of the model.</summary>
    All,
}
