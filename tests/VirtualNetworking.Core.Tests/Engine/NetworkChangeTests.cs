using System.Net;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Xml;

namespace VirtualNetworking.Core.Tests.Engine;

/// <summary>Set-VNetwork's edits as pure operations on a definition: Check, ApplyTo, Differences.</summary>
public sealed class NetworkChangeTests
{
    /// <summary>Every property the change touches is set, and both families have a DHCP block.</summary>
    internal const string DualStack = """
        <network><name>lab</name><uuid>11111111-2222-4333-8444-555555555555</uuid><forward mode='nat'/>
        <bridge name='labbr0' stp='on' delay='0'/><mac address='52:54:00:0a:0b:0c'/><mtu size='9000'/><domain name='lab.test'/>
        <ip address='10.0.5.1' netmask='255.255.255.0'><dhcp><range start='10.0.5.2' end='10.0.5.254'/></dhcp></ip>
        <ip family='ipv6' address='fd00:5::1' prefix='64'><dhcp><range start='fd00:5::10' end='fd00:5::ff'/></dhcp></ip></network>
        """;

    internal const string Ipv4Only = """
        <network><name>four</name><uuid>11111111-2222-4333-8444-666666666666</uuid><forward mode='nat'/>
        <bridge name='fourbr0'/><mac address='52:54:00:0a:0b:0d'/>
        <ip address='10.0.6.1' netmask='255.255.255.0'><dhcp><range start='10.0.6.2' end='10.0.6.254'/></dhcp></ip></network>
        """;

    private static NetworkDefinition Lab() => NetworkXml.Parse(DualStack);

    private static string Ranges(IpDefinition ip) => string.Join(", ", ip.Dhcp!.Ranges.Select(r => $"{r.Start}-{r.End}"));

    [Fact]
    public void Mtu_sets_the_value_and_zero_removes_the_setting()
    {
        var definition = Lab();
        new NetworkChange { Mtu = 1400 }.ApplyTo(definition);
        Assert.Equal(1400, definition.Mtu);

        new NetworkChange { Mtu = 0 }.ApplyTo(definition);
        Assert.Null(definition.Mtu);
        Assert.DoesNotContain("<mtu", NetworkXml.Format(definition));
    }

    [Fact]
    public void Domain_sets_the_name_and_an_empty_string_removes_the_element()
    {
        var definition = Lab();
        new NetworkChange { Domain = "other.test" }.ApplyTo(definition);
        Assert.Equal("other.test", definition.Domain?.Name);

        new NetworkChange { Domain = "" }.ApplyTo(definition);
        Assert.Null(definition.Domain);
        Assert.DoesNotContain("<domain", NetworkXml.Format(definition));
    }

    [Fact]
    public void Stp_sets_the_bridge_flag_and_creates_a_bridge_element_when_there_is_none()
    {
        var definition = Lab();
        new NetworkChange { Stp = false }.ApplyTo(definition);
        Assert.False(definition.Bridge!.Stp);
        Assert.Equal("labbr0", definition.Bridge.Name); // the rest of the bridge stays

        var bare = NetworkXml.Parse("<network><name>b</name><ip address='10.1.0.1' prefix='24'/></network>");
        new NetworkChange { Stp = false }.ApplyTo(bare);
        Assert.False(bare.Bridge?.Stp);
    }

    [Fact]
    public void An_unset_member_leaves_its_property_as_it_was()
    {
        var definition = Lab();
        var before = NetworkXml.Format(definition);
        new NetworkChange().ApplyTo(definition);
        new NetworkChange { Autostart = false }.ApplyTo(definition); // autostart is the store's flag, not the definition's
        Assert.Equal(before, NetworkXml.Format(definition));
    }

    [Fact]
    public void DhcpRange_replaces_the_ranges_of_the_ipv4_block_only()
    {
        var definition = Lab();
        new NetworkChange { DhcpRange = (IPAddress.Parse("10.0.5.100"), IPAddress.Parse("10.0.5.150")) }.ApplyTo(definition);

        Assert.Equal("10.0.5.100-10.0.5.150", Ranges(definition.Ips[0]));
        Assert.Equal("fd00:5::10-fd00:5::ff", Ranges(definition.Ips[1]));
    }

    [Fact]
    public void DhcpRange_replaces_the_ranges_of_the_ipv6_block_only()
    {
        var definition = Lab();
        new NetworkChange { DhcpRange = (IPAddress.Parse("fd00:5::100"), IPAddress.Parse("fd00:5::1ff")) }.ApplyTo(definition);

        Assert.Equal("10.0.5.2-10.0.5.254", Ranges(definition.Ips[0]));
        Assert.Equal("fd00:5::100-fd00:5::1ff", Ranges(definition.Ips[1]));
    }

    [Fact]
    public void DhcpRange_replaces_every_range_of_the_block_not_just_the_first()
    {
        var definition = NetworkXml.Parse("""
            <network><name>two</name><ip address='10.0.7.1' prefix='24'><dhcp>
            <range start='10.0.7.10' end='10.0.7.20'/><range start='10.0.7.30' end='10.0.7.40'/></dhcp></ip></network>
            """);
        new NetworkChange { DhcpRange = (IPAddress.Parse("10.0.7.50"), IPAddress.Parse("10.0.7.60")) }.ApplyTo(definition);
        Assert.Equal("10.0.7.50-10.0.7.60", Ranges(Assert.Single(definition.Ips)));
    }

    [Fact]
    public void DhcpRange_gives_a_block_without_dhcp_a_dhcp_element()
    {
        var definition = NetworkXml.Parse("<network><name>nodhcp</name><ip address='10.0.8.1' prefix='24'/></network>");
        new NetworkChange { DhcpRange = (IPAddress.Parse("10.0.8.10"), IPAddress.Parse("10.0.8.20")) }.ApplyTo(definition);
        Assert.Equal("10.0.8.10-10.0.8.20", Ranges(Assert.Single(definition.Ips)));
    }

    [Fact]
    public void DhcpRange_of_a_family_the_network_lacks_is_refused()
    {
        var definition = NetworkXml.Parse(Ipv4Only);
        var change = new NetworkChange { DhcpRange = (IPAddress.Parse("fd00:6::10"), IPAddress.Parse("fd00:6::ff")) };

        var e = Assert.Throws<NetworkProblemException>(() => change.ApplyTo(definition));

        Assert.Equal("VNetworkDhcpRangeInvalid", e.First.ErrorId);
        Assert.Equal(ProblemCategory.InvalidArgument, e.First.Category);
        Assert.Equal("four", e.First.Target);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(68)]
    [InlineData(1500)]
    [InlineData(65535)]
    public void Check_accepts_a_link_mtu_or_zero(int mtu) => Assert.Empty(new NetworkChange { Mtu = mtu }.Check("lab"));

    [Theory]
    [InlineData(1)]
    [InlineData(67)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    [InlineData(65536)]
    public void Check_refuses_an_mtu_that_is_not_a_link_mtu(int mtu)
    {
        var problem = Assert.Single(new NetworkChange { Mtu = mtu }.Check("lab"));
        Assert.Equal("VNetworkMtuInvalid", problem.ErrorId);
        Assert.Equal(ProblemCategory.InvalidArgument, problem.Category);
        Assert.Equal("lab", problem.Target);
    }

    [Theory]
    [InlineData("10.0.5.10", "fd00:5::10")]
    [InlineData("fd00:5::10", "10.0.5.10")]
    public void Check_refuses_a_range_that_mixes_families(string start, string end)
    {
        var problem = Assert.Single(new NetworkChange { DhcpRange = (IPAddress.Parse(start), IPAddress.Parse(end)) }.Check("lab"));
        Assert.Equal("VNetworkDhcpRangeInvalid", problem.ErrorId);
    }

    [Fact]
    public void Check_reports_every_problem_of_the_change()
    {
        var change = new NetworkChange { Mtu = 10, DhcpRange = (IPAddress.Parse("10.0.5.10"), IPAddress.Parse("fd00:5::10")) };
        Assert.Equal(["VNetworkMtuInvalid", "VNetworkDhcpRangeInvalid"], change.Check("lab").Select(p => p.ErrorId));
    }

    [Fact]
    public void Differences_lists_only_the_properties_that_differ()
    {
        var change = new NetworkChange
        {
            Mtu = 9000,            // as it is
            Domain = "other.test", // differs
            Stp = true,            // as it is
            DhcpRange = (IPAddress.Parse("10.0.5.2"), IPAddress.Parse("10.0.5.254")), // as it is
            Autostart = true,      // differs
        };

        var differences = change.Differences(Lab(), currentAutostart: false, active: false);

        Assert.Equal(["Domain", "Autostart"], differences.Select(d => d.Property));
        var domain = differences[0];
        Assert.Equal("lab", domain.Network);
        Assert.Equal("lab.test", domain.Current);
        Assert.Equal("other.test", domain.Desired);
    }

    [Fact]
    public void Differences_compares_removals_with_the_absent_value()
    {
        var definition = NetworkXml.Parse(Ipv4Only); // no MTU, no domain, no stp attribute (libvirt's default: on)
        var change = new NetworkChange { Mtu = 0, Domain = "", Stp = true };
        Assert.Empty(change.Differences(definition, currentAutostart: false, active: true));

        var removal = new NetworkChange { Mtu = 0, Domain = "" }.Differences(Lab(), false, active: false);
        Assert.Equal(["Mtu 9000 -> 0", "Domain lab.test -> "], removal.Select(d => $"{d.Property} {d.Current} -> {d.Desired}"));
    }

    [Fact]
    public void A_dhcp_range_is_compared_with_the_block_of_its_family()
    {
        // The IPv6 block's range equals the wanted one; the IPv4 block's differs and must not be compared.
        var same = new NetworkChange { DhcpRange = (IPAddress.Parse("fd00:5::10"), IPAddress.Parse("fd00:5::ff")) };
        Assert.Empty(same.Differences(Lab(), false, active: true));

        var other = new NetworkChange { DhcpRange = (IPAddress.Parse("fd00:5::10"), IPAddress.Parse("fd00:5::fe")) };
        var difference = Assert.Single(other.Differences(Lab(), false, active: true));
        Assert.Equal("fd00:5::10-fd00:5::ff", difference.Current);
        Assert.Equal("fd00:5::10-fd00:5::fe", difference.Desired);
    }

    public static TheoryData<string> DefinitionChanges => new() { "Mtu", "Domain", "Stp", "DhcpRange" };

    private static NetworkChange Changing(string property) => property switch
    {
        "Mtu" => new NetworkChange { Mtu = 1400 },
        "Domain" => new NetworkChange { Domain = "other.test" },
        "Stp" => new NetworkChange { Stp = false },
        "DhcpRange" => new NetworkChange { DhcpRange = (IPAddress.Parse("10.0.5.100"), IPAddress.Parse("10.0.5.150")) },
        _ => throw new ArgumentOutOfRangeException(nameof(property)),
    };

    [Theory]
    [MemberData(nameof(DefinitionChanges))]
    public void A_definition_property_costs_a_restart_on_an_active_network_and_nothing_on_an_inactive_one(string property)
    {
        var onActive = Assert.Single(Changing(property).Differences(Lab(), false, active: true));
        Assert.Equal((property, ChangeCost.Restart), (onActive.Property, onActive.Cost));

        var onInactive = Assert.Single(Changing(property).Differences(Lab(), false, active: false));
        Assert.Equal((property, ChangeCost.Live), (onInactive.Property, onInactive.Cost));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Autostart_is_applied_live_whether_or_not_the_network_runs(bool active)
    {
        var difference = Assert.Single(new NetworkChange { Autostart = false }.Differences(Lab(), currentAutostart: true, active));
        Assert.Equal("Autostart", difference.Property);
        Assert.Equal(true, difference.Current);
        Assert.Equal(false, difference.Desired);
        Assert.Equal(ChangeCost.Live, difference.Cost);
        Assert.Empty(new NetworkChange { Autostart = true }.Differences(Lab(), currentAutostart: true, active));
    }

    [Fact]
    public void Stp_defaults_to_on_as_libvirt_does() =>
        Assert.True(NetworkChange.StpOf(NetworkXml.Parse("<network><name>x</name></network>")));
}
