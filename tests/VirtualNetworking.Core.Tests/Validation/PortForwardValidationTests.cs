using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Validation;
using VirtualNetworking.Core.Xml;
using Ids = VirtualNetworking.Core.Problems.ErrorIds;

namespace VirtualNetworking.Core.Tests.Validation;

public sealed class PortForwardValidationTests
{
    private const string Ns = "https://virtualnetworking.dev/schemas/network/1.0";
    private const string Nat = "<forward mode='nat'/><ip address='192.168.10.1' prefix='24'/><ip family='ipv6' address='fd00:10::1' prefix='64'/>";

    private static IReadOnlyList<NetworkProblem> Problems(string forwards, string body = Nat) =>
        NetworkValidator.Validate(NetworkXml.Parse(
            $"<network><name>t</name><metadata xmlns:vnet='{Ns}'>{forwards}</metadata>{body}</network>"));

    private static string Forward(string attributes, string children = "") =>
        $"<vnet:portForward {attributes}>{children}</vnet:portForward>";

    [Theory]
    [InlineData("protocol='tcp' hostPort='8080' guestAddress='192.168.10.10' guestPort='80'")]
    [InlineData("protocol='udp' hostPort='5000-5009' guestAddress='192.168.10.10' guestPort='6000-6009'")]
    [InlineData("protocol='tcp' hostPort='1' guestAddress='192.168.10.10' guestPort='65535'")]
    [InlineData("protocol='tcp' hostAddress='2001:db8::5' hostPort='443' guestAddress='fd00:10::10'")]
    public void A_valid_forward_has_no_problem(string attributes) =>
        Assert.Empty(Problems(Forward(attributes, $"<vnet:source prefix='{(attributes.Contains("fd00") ? "2001:db8::/32" : "203.0.113.0/24")}'/>")));

    [Theory]
    [InlineData("protocol='tcp' hostPort='0' guestAddress='192.168.10.10'", Ids.PortForwardPortInvalid)]
    [InlineData("protocol='tcp' hostPort='65536' guestAddress='192.168.10.10'", Ids.PortForwardPortInvalid)]
    [InlineData("protocol='tcp' hostPort='80' guestAddress='192.168.10.10' guestPort='70000'", Ids.PortForwardPortInvalid)]
    [InlineData("protocol='tcp' hostPort='8010-8000' guestAddress='192.168.10.10'", Ids.PortForwardPortInvalid)]
    [InlineData("protocol='tcp' hostPort='8000-8010' guestAddress='192.168.10.10' guestPort='80'", Ids.PortForwardPortInvalid)]
    [InlineData("protocol='tcp' hostPort='8000-8010' guestAddress='192.168.10.10' guestPort='9000-9001'", Ids.PortForwardPortInvalid)]
    [InlineData("protocol='tcp' hostPort='80' guestAddress='192.168.11.10'", Ids.PortForwardGuestOutsideSubnet)]
    [InlineData("protocol='tcp' hostPort='80' guestAddress='fd00:11::10'", Ids.PortForwardGuestOutsideSubnet)]
    [InlineData("protocol='tcp' hostPort='80' guestAddress='192.168.10.1'", Ids.PortForwardGuestOutsideSubnet)]
    [InlineData("protocol='tcp' hostAddress='2001:db8::5' hostPort='80' guestAddress='192.168.10.10'", Ids.PortForwardInvalid)]
    public void A_bad_forward_is_refused_with_its_id(string attributes, string errorId)
    {
        var problem = Assert.Single(Problems(Forward(attributes)));
        Assert.Equal(errorId, problem.ErrorId);
        Assert.Contains("tcp", problem.Message); // the message names the forward
    }

    [Theory]
    [InlineData("203.0.113.0")]
    [InlineData("203.0.113.1/24")]
    [InlineData("203.0.113.0/33")]
    [InlineData("example.com/24")]
    [InlineData("2001:db8::/32")]
    public void A_source_prefix_that_is_not_CIDR_of_the_guest_family_is_refused(string prefix)
    {
        var problem = Assert.Single(Problems(Forward("protocol='tcp' hostPort='80' guestAddress='192.168.10.10'", $"<vnet:source prefix='{prefix}'/>")));
        Assert.Equal(Ids.PortForwardSourceInvalid, problem.ErrorId);
        Assert.Contains(prefix, problem.Message);
    }

    [Theory]
    [InlineData("<ip address='192.168.10.1' prefix='24'/>", "isolated network")]
    [InlineData("<forward mode='open'/><ip address='192.168.10.1' prefix='24'/>", "no firewall rules")]
    [InlineData("<forward mode='bridge'/><bridge name='br0'/>", "LAN")]
    [InlineData("<forward mode='vepa'><interface dev='eth0'/></forward>", "IP stack")]
    public void A_mode_that_cannot_forward_is_refused_and_the_message_says_why(string body, string why)
    {
        var problems = Problems(Forward("protocol='tcp' hostPort='80' guestAddress='192.168.10.10'"), body);
        var problem = Assert.Single(problems, p => p.ErrorId == Ids.PortForwardNotAllowed);
        Assert.Contains(why, problem.Message);
    }

    [Fact]
    public void A_routed_network_can_forward() =>
        Assert.Empty(Problems(Forward("protocol='tcp' hostPort='80' guestAddress='192.168.10.10'"), Nat.Replace("nat", "route", StringComparison.Ordinal)));

    [Theory]
    [InlineData("protocol='tcp' hostPort='80' guestAddress='192.168.10.10'", "protocol='tcp' hostPort='80' guestAddress='192.168.10.11'")]
    [InlineData("protocol='tcp' hostPort='8000-8010' guestAddress='192.168.10.10'", "protocol='tcp' hostPort='8010' guestAddress='192.168.10.11'")]
    [InlineData("protocol='tcp' hostPort='80' guestAddress='192.168.10.10'", "protocol='tcp' hostAddress='203.0.113.5' hostPort='80' guestAddress='192.168.10.11'")]
    [InlineData("protocol='udp' hostAddress='203.0.113.5' hostPort='53' guestAddress='192.168.10.10'", "protocol='udp' hostAddress='203.0.113.5' hostPort='53' guestAddress='192.168.10.11'")]
    public void Two_forwards_claiming_one_host_port_are_refused(string first, string second)
    {
        var problem = Assert.Single(Problems(Forward(first) + Forward(second)));
        Assert.Equal(Ids.PortForwardDuplicate, problem.ErrorId);
    }

    [Theory]
    [InlineData("protocol='tcp' hostPort='80' guestAddress='192.168.10.10'", "protocol='udp' hostPort='80' guestAddress='192.168.10.10'")]
    [InlineData("protocol='tcp' hostPort='8000-8009' guestAddress='192.168.10.10'", "protocol='tcp' hostPort='8010' guestAddress='192.168.10.11'")]
    [InlineData("protocol='tcp' hostAddress='203.0.113.5' hostPort='80' guestAddress='192.168.10.10'", "protocol='tcp' hostAddress='203.0.113.6' hostPort='80' guestAddress='192.168.10.11'")]
    [InlineData("protocol='tcp' hostPort='80' guestAddress='192.168.10.10'", "protocol='tcp' hostPort='80' guestAddress='fd00:10::10'")]
    public void Forwards_on_different_protocols_ports_addresses_or_families_may_coexist(string first, string second) =>
        Assert.Empty(Problems(Forward(first) + Forward(second)));
}
