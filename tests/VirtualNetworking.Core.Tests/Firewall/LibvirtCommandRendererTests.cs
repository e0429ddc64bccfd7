using VirtualNetworking.Core.Firewall;
using VirtualNetworking.Core.Tests.Conformance;

namespace VirtualNetworking.Core.Tests.Firewall;

/// <summary>
/// Mapper + planner + libvirt renderer against libvirt's expected nft lines, with the inputs built in code
/// (independent of the XML parser; FirewallConformanceTests runs the same cases through NetworkXml.Parse).
/// </summary>
public sealed class LibvirtCommandRendererTests
{
    [SkippableTheory]
    [InlineData("isolated")]
    [InlineData("nat-ipv6")]
    [InlineData("nat-many-ips")]
    [InlineData("nat-port-range")]
    [InlineData("nat-tftp")]
    [InlineData("route-default")]
    public void Renders_libvirts_commands_for_definitions_built_in_code(string name)
    {
        var expected = ConformanceData.ReadText(ConformanceData.Require("firewall", name).Files(4).Single());

        var actual = LibvirtCommandRenderer.RenderRules(TestNetworks.Plan(TestNetworks.LibvirtCase(name)));

        Assert.Equal(expected, actual);
    }

    [SkippableFact]
    public void Renders_libvirts_one_time_base()
    {
        ConformanceData.Require("firewall", "isolated");

        Assert.Equal(ConformanceData.ReadText("networkxml2firewalldata/base.nftables"), LibvirtCommandRenderer.RenderBase());
    }

    [Fact]
    public void Leaves_out_our_dhcp_and_dns_additions()
    {
        var rendered = LibvirtCommandRenderer.RenderRules(TestNetworks.Plan(TestNetworks.LibvirtCase("isolated")));

        Assert.DoesNotContain("dport", rendered);
        Assert.DoesNotContain("virtualnetworking", rendered);
    }
}
