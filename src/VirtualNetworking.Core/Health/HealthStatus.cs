namespace VirtualNetworking.Core.Health;

/// <summary>Pass: as it should be. Warning: works now, but a risk or a degraded part. Fail: guests lose something.</summary>
public enum HealthStatus
{
    Pass,
    Warning,
    Fail,
}

/// <summary>
/// One check of one network (Test-VNetworkHealth's output). <paramref name="Check"/> is one of <see cref="HealthCheckIds"/>;
/// <paramref name="Detail"/> says what was found (for a Fail: what breaks for guests), <paramref name="Remedy"/> what to do
/// (null on Pass).
/// </summary>
public sealed record HealthResult(string Network, string Check, HealthStatus Status, string Detail, string? Remedy = null);

/// <summary>A finding before it is tied to a network (the foreign-firewall analysis reports these).</summary>
public sealed record HealthFinding(string Check, HealthStatus Status, string Detail, string? Remedy = null)
{
    public HealthResult For(string network) => new(network, Check, Status, Detail, Remedy);
}
