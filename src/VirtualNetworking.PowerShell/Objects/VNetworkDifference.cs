using VirtualNetworking.Core.Desired;
using VirtualNetworking.Core.Engine;

namespace VirtualNetworking;

/// <summary>
/// One property of a network that differs from its desired state (Test-VNetwork -Detailed,
/// Test-VNetworkConfiguration -Detailed): its current and desired value, what would be done, and what it costs.
/// </summary>
public sealed class VNetworkDifference
{
    internal VNetworkDifference(PlanStep step)
    {
        Network = step.Network;
        Property = step.Property;
        Current = step.Current;
        Desired = step.Desired;
        Action = step.Action;
        Cost = step.Cost;
    }

    public string Network { get; }
    public string Property { get; }
    /// <summary>Null: none (a missing network or reservation).</summary>
    public object? Current { get; }
    public object? Desired { get; }
    public PlanAction Action { get; }
    /// <summary>Live: applied without disturbing the network; Restart: the running network is restarted; Redefine: removed and defined again.</summary>
    public ChangeCost Cost { get; }

    public override string ToString() => $"{Network} {Property}";
}
