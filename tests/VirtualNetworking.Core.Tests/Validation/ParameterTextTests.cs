using System.Net;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Validation;

namespace VirtualNetworking.Core.Tests.Validation;

/// <summary>The text forms users give for subnets, ranges, addresses and MACs, and New-VNetwork's parameter rules.</summary>
public sealed class ParameterTextTests
{
    private static NetworkProblem Refusal(Action parse)
    {
        var e = Assert.Throws<NetworkProblemException>(parse);
        var problem = Assert.Single(e.Problems);
        Assert.Equal(ProblemCategory.InvalidArgument, problem.Category);
        return problem;
    }

    [Theory]
    [InlineData("10.0.5.0/24", "10.0.5.0/24")]
    [InlineData("192.168.0.0/16", "192.168.0.0/16")]
    [InlineData("fd00:5::/64", "fd00:5::/64")]
    [InlineData("10.0.5.4/30", "10.0.5.4/30")]
    public void A_subnet_in_cidr_form_is_accepted(string text, string expected) =>
        Assert.Equal(IpNetwork.Parse(expected), ParameterText.Subnet(text));

    [Theory]
    [InlineData("10.0.5.1/24")]   // a host address, not the network's
    [InlineData("10.0.5.0")]      // no prefix
    [InlineData("10.0.5.0/33")]
    [InlineData("10.0.5.0/-1")]
    [InlineData("fd00::/129")]
    [InlineData("lab")]
    [InlineData("")]
    public void A_subnet_that_is_not_a_network_in_cidr_form_is_refused(string text)
    {
        var problem = Refusal(() => ParameterText.Subnet(text));
        Assert.Equal("VNetworkSubnetInvalid", problem.ErrorId);
        Assert.Equal(text, problem.Target);
    }

    [Theory]
    [InlineData("10.0.5.10", "10.0.5.200")]
    [InlineData("fd00:5::10", "fd00:5::ff")]
    [InlineData("10.0.5.200", "10.0.5.10")] // order is the validator's concern, with the subnet at hand
    public void A_range_of_two_addresses_is_accepted(string start, string end) =>
        Assert.Equal((IPAddress.Parse(start), IPAddress.Parse(end)), ParameterText.DhcpRange([start, end]));

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void A_range_of_other_than_two_values_is_refused(int count)
    {
        var values = Enumerable.Range(10, count).Select(i => $"10.0.5.{i}").ToList();
        var problem = Refusal(() => ParameterText.DhcpRange(values));
        Assert.Equal("VNetworkDhcpRangeInvalid", problem.ErrorId);
        Assert.Contains($"{count} were given", problem.Message);
    }

    [Theory]
    [InlineData("10.0.5.300")]
    [InlineData("10.0.5.10/24")]
    [InlineData("fe80::1%eth0")]
    [InlineData("first")]
    [InlineData("")]
    public void A_range_with_a_value_that_is_not_an_address_is_refused(string bad)
    {
        var problem = Refusal(() => ParameterText.DhcpRange(["10.0.5.10", bad]));
        Assert.Equal("VNetworkDhcpRangeInvalid", problem.ErrorId);
        Assert.Equal(bad, problem.Target);
    }

    [Theory]
    [InlineData("192.168.122.10")]
    [InlineData("fd00::10")]
    public void A_host_address_is_accepted(string text) => Assert.Equal(IPAddress.Parse(text), ParameterText.HostAddress(text));

    [Theory]
    [InlineData("192.168.122.10/24")]
    [InlineData("fd00::10/64")]
    [InlineData("192.168.122.256")]
    [InlineData("host1")]
    [InlineData("")]
    public void A_host_address_with_a_prefix_or_not_an_address_is_refused(string text)
    {
        var problem = Refusal(() => ParameterText.HostAddress(text));
        Assert.Equal("VNetworkIpAddressInvalid", problem.ErrorId);
        Assert.Equal(text, problem.Target);
    }

    [Theory]
    [InlineData("52:54:00:12:34:56", "52:54:00:12:34:56")]
    [InlineData("52:54:00:AB:CD:EF", "52:54:00:ab:cd:ef")]
    [InlineData("2:54:0:a:b:c", "02:54:00:0a:0b:0c")]
    public void A_mac_address_is_accepted_in_canonical_form(string text, string canonical) =>
        Assert.Equal(canonical, ParameterText.MacAddress(text));

    [Theory]
    [InlineData("52-54-00-12-34-56")]
    [InlineData("52:54:00:12:34")]
    [InlineData("52:54:00:12:34:56:78")]
    [InlineData("52:54:00:12:34:5g")]
    [InlineData("52:54:00:12:34:567")]
    [InlineData("525400123456")]
    [InlineData("")]
    public void A_mac_address_that_is_not_six_hex_pairs_is_refused(string text)
    {
        var problem = Refusal(() => ParameterText.MacAddress(text));
        Assert.Equal("VNetworkMacAddressInvalid", problem.ErrorId);
        Assert.Equal(text, problem.Target);
    }

    /// <summary><paramref name="subnet"/> is -Subnet's values separated by commas.</summary>
    private static NetworkRequest FromParameters(string? subnet = null, IReadOnlyList<string>? dhcpRange = null, bool noDhcp = false,
        bool autostart = false, bool transient = false) =>
        NetworkRequest.FromParameters("lab", NetworkMode.Nat, subnet?.Split(','), dhcpRange, noDhcp, "labbr0", null, false, 1400, "lab.test",
            "52:54:00:12:34:56", autostart, transient);

    [Fact]
    public void FromParameters_carries_every_parameter_into_the_request()
    {
        var request = FromParameters("10.0.5.0/24", ["10.0.5.10", "10.0.5.200"], autostart: true);

        Assert.Equal("lab", request.Name);
        Assert.Equal(NetworkMode.Nat, request.Mode);
        Assert.Equal(IpNetwork.Parse("10.0.5.0/24"), request.Subnet);
        Assert.Equal(IPAddress.Parse("10.0.5.10"), request.DhcpStart);
        Assert.Equal(IPAddress.Parse("10.0.5.200"), request.DhcpEnd);
        Assert.False(request.NoDhcp);
        Assert.Equal("labbr0", request.BridgeName);
        Assert.False(request.Stp);
        Assert.Equal(1400, request.Mtu);
        Assert.Equal("lab.test", request.Domain);
        Assert.Equal("52:54:00:12:34:56", request.MacAddress);
        Assert.True(request.Autostart);
    }

    [Fact]
    public void FromParameters_leaves_what_was_not_given_for_allocation()
    {
        var request = FromParameters();
        Assert.Null(request.Subnet);
        Assert.Null(request.DhcpStart);
        Assert.Null(request.DhcpEnd);
    }

    [Fact]
    public void FromParameters_accepts_no_dhcp_alone_and_a_transient_network_without_autostart()
    {
        Assert.True(FromParameters(noDhcp: true).NoDhcp);
        Assert.False(FromParameters(transient: true).Autostart);
    }

    [Fact]
    public void FromParameters_refuses_no_dhcp_with_a_range()
    {
        var problem = Refusal(() => FromParameters(dhcpRange: ["10.0.5.10", "10.0.5.200"], noDhcp: true));
        Assert.Equal("VNetworkDhcpConflict", problem.ErrorId);
        Assert.Equal("lab", problem.Target);
    }

    [Fact]
    public void FromParameters_refuses_a_transient_network_that_autostarts()
    {
        var problem = Refusal(() => FromParameters(autostart: true, transient: true));
        Assert.Equal("VNetworkTransientAutostart", problem.ErrorId);
        Assert.Equal("lab", problem.Target);
    }

    [Theory]
    [InlineData("10.0.5.0/24,fd00:5::/64")]
    [InlineData("fd00:5::/64,10.0.5.0/24")]
    public void FromParameters_takes_an_ipv4_subnet_and_an_ipv6_prefix_in_either_order(string subnets)
    {
        var request = FromParameters(subnets);
        Assert.Equal(IpNetwork.Parse("10.0.5.0/24"), request.Subnet);
        Assert.Equal(IpNetwork.Parse("fd00:5::/64"), request.Ipv6Subnet);
    }

    [Fact]
    public void FromParameters_takes_an_ipv6_prefix_alone_as_the_subnet_of_an_ipv6_only_network()
    {
        var request = FromParameters("fd00:5::/64");
        Assert.Equal(IpNetwork.Parse("fd00:5::/64"), request.Subnet);
        Assert.Null(request.Ipv6Subnet);
    }

    [Theory]
    [InlineData("10.0.5.0/24,10.0.6.0/24")]
    [InlineData("fd00:5::/64,fd00:6::/64")]
    [InlineData("10.0.5.0/24,fd00:5::/64,fd00:6::/64")]
    public void FromParameters_refuses_two_subnets_of_one_family_saying_what_it_takes(string subnets)
    {
        var problem = Refusal(() => FromParameters(subnets));
        Assert.Equal("VNetworkSubnetInvalid", problem.ErrorId);
        Assert.Equal(ProblemCategory.InvalidArgument, problem.Category);
        Assert.Equal($"-Subnet takes one subnet, or one IPv4 subnet and one IPv6 prefix (e.g. -Subnet 10.0.5.0/24, fd00:5::/64); {subnets.Replace(",", ", ")} was given.", problem.Message);
    }

    [Theory]
    [InlineData("10.0.5.1/24", null, "VNetworkSubnetInvalid")]
    [InlineData("10.0.5.0/24,fd00:5::1/64", null, "VNetworkSubnetInvalid")]
    [InlineData(null, "10.0.5.10", "VNetworkDhcpRangeInvalid")]
    [InlineData(null, "10.0.5.10,nope", "VNetworkDhcpRangeInvalid")]
    public void FromParameters_refuses_bad_text_with_the_parsers_error_id(string? subnet, string? range, string errorId) =>
        Assert.Equal(errorId, Refusal(() => FromParameters(subnet, range?.Split(','))).ErrorId);
}
