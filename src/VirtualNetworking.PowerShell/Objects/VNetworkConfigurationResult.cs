using VirtualNetworking.Core.Desired;
using VirtualNetworking.Core.Engine;

namespace VirtualNetworking;

/// <summary>One action of Invoke-VNetworkConfiguration and how it ended.</summary>
public sealed class VNetworkConfigurationResult
{
    internal VNetworkConfigurationResult(StepOutcome outcome)
    {
        var step = outcome.Step;
        Network = step.Network;
        Property = step.Property;
        Action = step.Action;
        Result = outcome.Result;
        Current = step.Current;
        Desired = step.Desired;
        Cost = step.Cost;
    }

    public string Network { get; }
    public string Property { get; }
    public PlanAction Action { get; }
    /// <summary>Done; Refused (needs -AllowRestart); Failed (the network was put back as it was).</summary>
    public StepResult Result { get; }
    /// <summary>The value before the action (null: none).</summary>
    public object? Current { get; }
    public object? Desired { get; }
    public ChangeCost Cost { get; }

    public override string ToString() => $"{Network} {Property} {Action} {Result}";
}
