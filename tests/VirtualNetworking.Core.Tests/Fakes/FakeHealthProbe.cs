using VirtualNetworking.Core.Ports;

namespace VirtualNetworking.Core.Tests.Fakes;

/// <summary>The health facts a test sets: the daemon's status (null: not running), the ruleset's JSON, iptables' saves.</summary>
internal sealed class FakeHealthProbe : IHealthProbe
{
    public List<ServedNetwork>? Served = [];
    public string? RulesetJson { get; set; }
    public IptablesSaves Saves { get; set; } = IptablesSaves.None;

    public IReadOnlyList<ServedNetwork>? DaemonNetworks() => Served;
    public string? Ruleset() => RulesetJson;
    /// <summary>What Iptables was asked for last (iptables-nft's view per family).</summary>
    public (bool V4, bool V6)? AskedNft { get; private set; }

    public IptablesSaves Iptables(bool nftV4, bool nftV6)
    {
        AskedNft = (nftV4, nftV6);
        return Saves;
    }
}
