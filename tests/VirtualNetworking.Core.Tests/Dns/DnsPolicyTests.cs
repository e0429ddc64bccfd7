using System.Net;
using VirtualNetworking.Core.Dns;
using VirtualNetworking.Core.Xml;
using static VirtualNetworking.Core.Tests.Dns.DnsTestKit;

namespace VirtualNetworking.Core.Tests.Dns;

public class DnsPolicyTests
{
    private static readonly IReadOnlyList<IPEndPoint> HostResolvers = [Resolver1, Resolver2];

    private static DnsPolicy Policy(string inner = "", string forward = "<forward mode='nat'/>") =>
        DnsPolicy.FromNetwork(Network(inner, forward)) ?? throw new InvalidOperationException("no DNS");

    private static DnsRoute Route(DnsPolicy policy, string name) => policy.Route(N(name), HostResolvers);

    [Fact]
    public void A_network_with_dns_disabled_or_without_an_address_has_no_dns_server()
    {
        Assert.Null(DnsPolicy.FromNetwork(Network("<dns enable='no'/>")));
        Assert.Null(DnsPolicy.FromNetwork(NetworkXml.Parse("<network><name>br</name><forward mode='bridge'/><bridge name='br0'/></network>")));
        Assert.NotNull(DnsPolicy.FromNetwork(Network("<dns enable='yes'/>")));
    }

    [Fact]
    public void The_daemon_serves_dns_on_ipv6_only_networks_too_but_never_with_dns_disabled()
    {
        const string six = "<ip family='ipv6' address='fd00:5::1' prefix='64'/>";
        Assert.Equal([IPAddress.Parse("fd00:5::1")], DnsPolicy.FromNetwork(NetworkXml.Parse($"<network><name>six</name><bridge name='vsix0'/>{six}</network>"))!.OwnAddresses);
        Assert.Null(DnsPolicy.FromNetwork(NetworkXml.Parse($"<network><name>six</name><bridge name='vsix0'/><dns enable='no'/>{six}</network>")));
        Assert.NotNull(DnsPolicy.FromNetwork(NetworkXml.Parse($"<network><name>two</name><bridge name='vtwo0'/><ip address='10.5.0.1' prefix='24'/>{six}</network>")));
    }

    [Fact]
    public void By_default_every_name_goes_to_the_host_resolvers_in_order()
    {
        var route = Route(Policy(), "www.example.org");
        Assert.Equal(DnsRouteKind.Forward, route.Kind);
        Assert.Equal(HostResolvers, route.Upstreams);
        Assert.Equal(DnsRouteKind.Forward, Route(Policy(), "plain").Kind);
        Assert.Equal(DnsRouteKind.Refuse, Policy().Route(N("www.example.org"), []).Kind);
    }

    [Fact]
    public void An_isolated_network_never_forwards()
    {
        var policy = Policy("<domain name='iso.test' localOnly='yes'/><dns><forwarder domain='corp.test' addr='10.9.9.9'/><forwarder addr='8.8.8.8'/></dns>", forward: "");
        Assert.False(policy.Forwards);
        Assert.Equal(DnsRouteKind.Refuse, Route(policy, "www.example.org").Kind);
        Assert.Equal(DnsRouteKind.Refuse, Route(policy, "host.corp.test").Kind);
        Assert.Equal(DnsRouteKind.Local, Route(policy, "x.iso.test").Kind);
    }

    [Fact]
    public void Plain_names_stay_local_when_forwardPlainNames_is_no()
    {
        var policy = Policy("<dns forwardPlainNames='no'/>");
        Assert.Equal(DnsRouteKind.Local, Route(policy, "printer").Kind);
        Assert.Equal(DnsRouteKind.Forward, Route(policy, "printer.example.org").Kind);
        // The root is not a plain name (dnsmasq's domain-needed spares "the empty name").
        Assert.Equal(DnsRouteKind.Forward, policy.Route(DnsName.Root, HostResolvers).Kind);
    }

    [Fact]
    public void A_local_only_domain_is_never_forwarded()
    {
        var policy = Policy("<domain name='example.com' localOnly='yes'/>");
        Assert.Equal(DnsRouteKind.Local, Route(policy, "example.com").Kind);
        Assert.Equal(DnsRouteKind.Local, Route(policy, "a.b.EXAMPLE.com").Kind);
        Assert.Equal(DnsRouteKind.Forward, Route(policy, "notexample.com").Kind);
        Assert.Equal(DnsRouteKind.Forward, Route(Policy("<domain name='example.com'/>"), "a.example.com").Kind);
    }

    [Fact]
    public void Forwarders_by_domain_take_their_names_and_the_most_specific_domain_decides()
    {
        var policy = Policy("""
            <dns>
              <forwarder domain='example.com' addr='192.168.1.1'/>
              <forwarder domain='example.com' addr='192.168.1.2' port='5353'/>
              <forwarder domain='www.example.com'/>
              <forwarder domain='deep.www.example.com' addr='192.168.3.3'/>
            </dns>
            """);
        Assert.Equal([new IPEndPoint(Ip("192.168.1.1"), 53), new IPEndPoint(Ip("192.168.1.2"), 5353)], Route(policy, "mail.example.com").Upstreams);
        Assert.Equal(DnsRouteKind.Local, Route(policy, "www.example.com").Kind);
        Assert.Equal(DnsRouteKind.Local, Route(policy, "a.www.example.com").Kind);
        Assert.Equal([new IPEndPoint(Ip("192.168.3.3"), 53)], Route(policy, "x.deep.www.example.com").Upstreams);
        Assert.Equal(HostResolvers, Route(policy, "example.org").Upstreams);
    }

    [Fact]
    public void Forwarders_without_a_domain_replace_the_host_resolvers()
    {
        var policy = Policy("<dns><forwarder addr='8.8.8.8'/><forwarder addr='8.8.4.4' port='5353'/><forwarder domain='corp.test' addr='10.1.1.1'/></dns>");
        Assert.Equal([new IPEndPoint(Ip("8.8.8.8"), 53), new IPEndPoint(Ip("8.8.4.4"), 5353)], Route(policy, "www.example.org").Upstreams);
        Assert.Equal([new IPEndPoint(Ip("10.1.1.1"), 53)], Route(policy, "a.corp.test").Upstreams);
    }

    [Fact]
    public void The_same_domain_local_and_forwarded_stays_local()
    {
        var policy = Policy("<domain name='example.com' localOnly='yes'/><dns><forwarder domain='example.com' addr='10.1.1.1'/></dns>");
        Assert.Equal(DnsRouteKind.Local, Route(policy, "a.example.com").Kind);
    }

    [Fact]
    public void The_networks_own_dns_is_never_an_upstream()
    {
        var policy = Policy("<dns><forwarder addr='192.168.122.1'/><forwarder addr='192.168.122.1' port='5353'/><forwarder domain='corp.test' addr='192.168.122.1'/></dns>");
        Assert.Equal([new IPEndPoint(Ip("192.168.122.1"), 5353)], policy.Forwarders);
        Assert.Equal(DnsRouteKind.Refuse, Route(policy, "a.corp.test").Kind);
        Assert.Equal([Resolver1], Policy().WithoutOwnAddresses([new IPEndPoint(Ip("192.168.122.1"), 53), Resolver1, new IPEndPoint(Ip("::ffff:192.168.122.1"), 53)]));
    }

    [Fact]
    public void Local_ptr_keeps_the_subnets_reverse_zone_local()
    {
        var network = NetworkXml.Parse("""
            <network>
              <name>ptr</name>
              <forward mode='nat'/>
              <ip address='192.168.122.1' prefix='24' localPtr='yes'/>
              <ip family='ipv6' address='fd00:1:2:3::1' prefix='64' localPtr='yes'/>
              <ip address='10.5.0.1' prefix='16'/>
            </network>
            """);
        var policy = DnsPolicy.FromNetwork(network)!;
        Assert.Equal(DnsRouteKind.Local, policy.Route(DnsName.ReverseOf(Ip("192.168.122.77")), HostResolvers).Kind);
        Assert.Equal(DnsRouteKind.Local, policy.Route(DnsName.ReverseOf(Ip("fd00:1:2:3::99")), HostResolvers).Kind);
        Assert.Equal(DnsRouteKind.Forward, policy.Route(DnsName.ReverseOf(Ip("192.168.123.77")), HostResolvers).Kind);
        Assert.Equal(DnsRouteKind.Forward, policy.Route(DnsName.ReverseOf(Ip("10.5.1.1")), HostResolvers).Kind);
    }
}
