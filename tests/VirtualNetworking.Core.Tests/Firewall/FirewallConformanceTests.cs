using VirtualNetworking.Core.Firewall;
using VirtualNetworking.Core.Tests.Conformance;
using VirtualNetworking.Core.Xml;

namespace VirtualNetworking.Core.Tests.Firewall;

/// <summary>
/// libvirt's networkxml2firewalltest for the nftables backend: XML → (our) plan → libvirt's nft command lines,
/// compared byte for byte after stripping the one-time base.nftables prefix, as libvirt's test does.
/// Our DHCP/DNS additions and our table name are not part of this rendering (see docs/firewall.md).
/// </summary>
public sealed class FirewallConformanceTests
{
    public static TheoryData<string> Cases => ConformanceData.CaseNames("firewall");

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Rules_match_libvirts_nftables_output(string name)
    {
        var conformanceCase = ConformanceData.Require("firewall", name);
        Assert.Equal("success", conformanceCase.Result);
        var definition = NetworkXml.Parse(ConformanceData.ReadText(conformanceCase.Files(3).Single()));
        var basePrefix = ConformanceData.ReadText("networkxml2firewalldata/base.nftables");

        var actual = LibvirtCommandRenderer.RenderBase() + LibvirtCommandRenderer.RenderRules(FirewallPlanner.Plan(FirewallNetworkMapper.FromDefinition(definition)));

        Assert.StartsWith(basePrefix, actual, StringComparison.Ordinal);
        Assert.Equal(ConformanceData.ReadText(conformanceCase.Files(4).Single()), actual[basePrefix.Length..]);
    }
}
