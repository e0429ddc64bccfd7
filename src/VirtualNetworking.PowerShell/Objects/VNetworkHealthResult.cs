using VirtualNetworking.Core.Health;

namespace VirtualNetworking;

/// <summary>
/// One health check of one network (Test-VNetworkHealth). <see cref="Check"/> is a stable id (scripts and Pester tests
/// match on it); <see cref="Detail"/> says what was found and, on a Fail, what breaks for guests.
/// </summary>
public sealed class VNetworkHealthResult
{
    internal VNetworkHealthResult(HealthResult result)
    {
        Network = result.Network;
        Check = result.Check;
        Status = result.Status;
        Detail = result.Detail;
        Remedy = result.Remedy;
    }

    public string Network { get; }
    public string Check { get; }
    /// <summary>Pass; Warning (works, with a risk); Fail (guests lose something).</summary>
    public HealthStatus Status { get; }
    public string Detail { get; }
    /// <summary>What to do; null on Pass.</summary>
    public string? Remedy { get; }

    public override string ToString() => $"{Network} {Check} {Status}";
}
