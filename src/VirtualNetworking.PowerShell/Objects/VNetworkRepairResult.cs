using VirtualNetworking.Core.Health;

namespace VirtualNetworking;

/// <summary>One thing Repair-VNetwork did, or left, for a failing health check.</summary>
public sealed class VNetworkRepairResult
{
    internal VNetworkRepairResult(RepairOutcome outcome)
    {
        Network = outcome.Network;
        Check = outcome.Check;
        Action = outcome.Action;
        Result = outcome.Result;
        Detail = outcome.Detail;
    }

    public string Network { get; }
    /// <summary>The Test-VNetworkHealth check this is for.</summary>
    public string Check { get; }
    /// <summary>What was done ("none" when the check was left).</summary>
    public string Action { get; }
    /// <summary>Repaired (the check passes now); Failed (Detail says why); Skipped (not the network's own, or needs a restart).</summary>
    public RepairResult Result { get; }
    public string Detail { get; }

    public override string ToString() => $"{Network} {Check} {Result}";
}
