using VirtualNetworking.Core.Ports;

namespace VirtualNetworking.Core.Tests.Fakes;

/// <summary>The health facts a test sets: the daemon's status (null: not running), the ruleset's JSON, RA-route links.</summary>
internal sealed class FakeHealthProbe : IHealthProbe
{
    public List<ServedNetwork>? Served = [];
    public string? RulesetJson { get; set; }
    public string? Legacy { get; set; }
    public List<string> RaLinks = [];

    public IReadOnlyList<ServedNetwork>? DaemonNetworks() => Served;
    public string? Ruleset() => RulesetJson;
    public string? LegacyIptables() => Legacy;
    public IReadOnlyList<string> LinksWithRaRoutes() => RaLinks;
}
