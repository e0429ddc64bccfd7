using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Validation;
using VirtualNetworking.Core.Xml;
using Ids = VirtualNetworking.Core.Problems.ErrorIds;

namespace VirtualNetworking.Core.Tests.Validation;

public sealed class NetworkValidatorTests
{
    private const string Ip4 = "<ip address='192.168.10.1' prefix='24'/>";

    private static IReadOnlyList<string> ErrorIds(string body) =>
        NetworkValidator.Validate(NetworkXml.Parse($"<network><name>t</name>{body}</network>")).Select(p => p.ErrorId).ToList();

    [Theory]
    // forward
    [InlineData("<forward mode='nat'/>", Ids.IpRequired)]
    [InlineData("<forward mode='open'/>", Ids.IpRequired)]
    [InlineData("<forward mode='route'><interface dev='eth0'/><interface dev='eth1'/></forward>" + Ip4, Ids.ForwardInterfaceInvalid)]
    [InlineData("<forward mode='open' dev='eth0'/>" + Ip4, Ids.ForwardInterfaceInvalid)]
    [InlineData("<forward mode='bridge'><interface dev='eth0'/><interface dev='eth0'/></forward>", Ids.ForwardInterfaceInvalid)]
    [InlineData("<forward mode='nat' dev='eth 0'/>" + Ip4, Ids.ForwardInterfaceInvalid)]
    [InlineData("<forward mode='route'><nat><port start='1024' end='2048'/></nat></forward>" + Ip4, Ids.NatNotAllowed)]
    [InlineData("<forward mode='nat'><nat><address start='2001:db8::1' end='2001:db8::2'/></nat></forward>" + Ip4, Ids.NatAddressInvalid)]
    [InlineData("<forward mode='nat'><nat><address start='10.0.0.9' end='10.0.0.1'/></nat></forward>" + Ip4, Ids.NatAddressInvalid)]
    [InlineData("<forward mode='nat'><nat><port start='2048' end='1024'/></nat></forward>" + Ip4, Ids.NatPortInvalid)]
    [InlineData("<forward mode='nat'><nat><port start='2048'/></nat></forward>" + Ip4, Ids.NatPortInvalid)]
    // bridge, mac, mtu, uplink
    [InlineData("<forward mode='bridge'/><bridge name='br0' stp='on'/>", Ids.BridgeOptionNotAllowed)]
    [InlineData("<forward mode='bridge'/><bridge name='br0' delay='2'/>", Ids.BridgeOptionNotAllowed)]
    [InlineData("<forward mode='bridge'/><bridge name='br0' zone='trusted'/>", Ids.BridgeOptionNotAllowed)]
    [InlineData("<forward mode='vepa'><interface dev='eth0'/></forward><bridge name='br0'/>", Ids.BridgeOptionNotAllowed)]
    [InlineData("<bridge name='abcdefghijklmnop'/>", Ids.BridgeNameInvalid)]
    [InlineData("<bridge name='br:0'/>", Ids.BridgeNameInvalid)]
    [InlineData("<bridge name='..'/>", Ids.BridgeNameInvalid)]
    [InlineData("<bridge name='br 0'/>", Ids.BridgeNameInvalid)]
    [InlineData("<bridge name='br&quot;0'/>", Ids.BridgeNameInvalid)]
    [InlineData("<bridge name='virbr%d%d'/>", Ids.BridgeNameInvalid)]
    [InlineData("<mac address='01:00:5e:00:00:01'/>", Ids.MacAddressInvalid)]
    [InlineData("<forward mode='bridge'/><bridge name='br0'/><mac address='52:54:00:00:00:01'/>", Ids.MacNotAllowed)]
    [InlineData("<forward mode='bridge'/><bridge name='br0'/><mtu size='9000'/>", Ids.MtuNotAllowed)]
    [InlineData("<forward mode='nat'/>" + Ip4 + "<vnet:uplink xmlns:vnet='https://virtualnetworking.dev/schemas/network/1.0' dev='eth0'/>", Ids.UplinkInvalid)]
    // ip
    [InlineData("<ip family='ipv6' address='10.0.0.1'/>", Ids.IpAddressInvalid)]
    [InlineData("<ip address='2001:db8::1' prefix='64'/>", Ids.IpAddressInvalid)]
    [InlineData("<ip family='ipx' address='10.0.0.1'/>", Ids.IpAddressInvalid)]
    [InlineData("<ip family='ipv6' address='2001:db8::1' netmask='255.255.255.0'/>", Ids.IpNetmaskInvalid)]
    [InlineData("<ip address='10.0.0.1' netmask='255.255.255.0' prefix='24'/>", Ids.IpNetmaskInvalid)]
    [InlineData("<ip address='10.0.0.1' netmask='255.0.255.0'/>", Ids.IpNetmaskInvalid)]
    [InlineData("<ip address='10.0.0.1' prefix='33'/>", Ids.IpNetmaskInvalid)]
    [InlineData("<ip address='10.0.0.1' prefix='20' localPtr='yes'/>", Ids.LocalPtrInvalid)]
    [InlineData("<forward mode='bridge'/><bridge name='br0'/>" + Ip4, Ids.IpNotAllowed)]
    [InlineData("<ip family='ipv6' address='2001:db8::1' prefix='64'><tftp root='/srv'/></ip>", Ids.TftpNotAllowed)]
    // dhcp
    [InlineData("<ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.0.2' end='10.0.0.9'/></dhcp></ip><ip address='10.0.1.1' prefix='24'><dhcp><range start='10.0.1.2' end='10.0.1.9'/></dhcp></ip>", Ids.DhcpMultiple)]
    [InlineData("<ip family='ipv6' address='2001:db8::1' prefix='64'><dhcp><range start='2001:db8::2' end='2001:db8::9'/></dhcp></ip><ip family='ipv6' address='2001:db8:1::1' prefix='64'><dhcp><host name='a' ip='2001:db8:1::5'/></dhcp></ip>", Ids.DhcpMultiple)]
    [InlineData("<ip address='10.0.0.1' prefix='24'><dhcp><range start='2001:db8::2' end='2001:db8::9'/></dhcp></ip>", Ids.DhcpRangeInvalid)]
    [InlineData("<ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.0.9' end='10.0.0.2'/></dhcp></ip>", Ids.DhcpRangeInvalid)]
    [InlineData("<ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.0.2' end='10.0.1.9'/></dhcp></ip>", Ids.DhcpRangeInvalid)]
    [InlineData("<ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.0.2' end='10.0.0.9'><lease expiry='1'/></range></dhcp></ip>", Ids.LeaseTooShort)]
    [InlineData("<ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.0.2' end='10.0.0.9'><lease expiry='119' unit='seconds'/></range></dhcp></ip>", Ids.LeaseTooShort)]
    [InlineData("<ip address='10.0.0.1' prefix='24'><dhcp><host mac='00:16:3e:00:00:01' ip='10.0.0.5'><lease expiry='1'/></host></dhcp></ip>", Ids.LeaseTooShort)]
    [InlineData("<ip address='10.0.0.1' prefix='24'><dhcp><host ip='10.0.0.5'/></dhcp></ip>", Ids.DhcpHostInvalid)]
    [InlineData("<ip address='10.0.0.1' prefix='24'><dhcp><host mac='00:16:3e:00:00:01'/></dhcp></ip>", Ids.DhcpHostInvalid)]
    [InlineData("<ip address='10.0.0.1' prefix='24'><dhcp><host mac='01:16:3e:00:00:01' ip='10.0.0.5'/></dhcp></ip>", Ids.MacAddressInvalid)]
    [InlineData("<ip address='10.0.0.1' prefix='24'><dhcp><host name='-bad' ip='10.0.0.5'/></dhcp></ip>", Ids.DhcpHostInvalid)]
    [InlineData("<ip address='10.0.0.1' prefix='24'><dhcp><host name='a' ip='2001:db8::5'/></dhcp></ip>", Ids.DhcpHostInvalid)]
    [InlineData("<ip family='ipv6' address='2001:db8::1' prefix='64'><dhcp><host mac='00:16:3e:00:00:01' name='a' ip='2001:db8::5'/></dhcp></ip>", Ids.DhcpHostInvalid)]
    [InlineData("<ip family='ipv6' address='2001:db8::1' prefix='64'><dhcp><host ip='2001:db8::5'/></dhcp></ip>", Ids.DhcpHostInvalid)]
    [InlineData("<ip family='ipv6' address='2001:db8::1' prefix='64'><dhcp><host id='0:zz' ip='2001:db8::5'/></dhcp></ip>", Ids.DhcpHostInvalid)]
    [InlineData("<ip family='ipv6' address='2001:db8::1' prefix='64'><dhcp><bootp file='pxe.img'/></dhcp></ip>", Ids.BootpInvalid)]
    // domain and dns
    [InlineData("<forward mode='bridge'/><bridge name='br0'/><domain name='example.com'/>", Ids.DomainNotAllowed)]
    [InlineData("<domain name='example.com' register='yes'/>" + Ip4, Ids.DomainRegisterInvalid)]
    [InlineData("<domain name='example.com' localOnly='no' register='yes'/>" + Ip4, Ids.DomainRegisterInvalid)]
    [InlineData("<forward mode='bridge'/><bridge name='br0'/><dns><txt name='a' value='b'/></dns>", Ids.DnsNotAllowed)]
    [InlineData("<dns><txt name='a b' value='v'/></dns>", Ids.DnsTxtInvalid)]
    [InlineData("<dns><txt name='a,b' value='v'/></dns>", Ids.DnsTxtInvalid)]
    [InlineData("<dns><srv service='ldap' protocol='tcp' port='389'/></dns>", Ids.DnsSrvInvalid)]
    [InlineData("<dns><srv service='l dap' protocol='tcp'/></dns>", Ids.DnsSrvInvalid)]
    [InlineData("<dns><srv service='ldap' protocol='t.cp'/></dns>", Ids.DnsSrvInvalid)]
    [InlineData("<dns><host ip='10.0.0.5'></host></dns>", Ids.DnsHostInvalid)]
    [InlineData("<dns><host ip='10.0.0.5'><hostname></hostname></host></dns>", Ids.DnsHostInvalid)]
    [InlineData("<dns><forwarder domain='example.com' port='53'/></dns>", Ids.DnsForwarderInvalid)]
    // routes
    [InlineData(Ip4 + "<route address='10.1.0.0' prefix='16' gateway='10.9.9.9'/>", Ids.RouteGatewayUnreachable)]
    [InlineData(Ip4 + "<route family='ipv6' address='10.1.0.0' prefix='16' gateway='192.168.10.9'/>", Ids.RouteInvalid)]
    // identity
    [InlineData("<title>a&#10;b</title>", Ids.TitleInvalid)]
    public void RuleIsEnforced(string body, string errorId) => Assert.Contains(errorId, ErrorIds(body));

    [Theory]
    [InlineData("")]
    [InlineData("<bridge name='virbr%d'/>")]
    [InlineData("<bridge name='abcdefghijklmno'/>")]
    [InlineData("<forward mode='bridge'/><bridge name='br0'/><vnet:uplink xmlns:vnet='https://virtualnetworking.dev/schemas/network/1.0' dev='eth0'/>")]
    [InlineData("<ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.0.2' end='10.0.0.9'><lease expiry='0'/></range><host mac='00:16:3e:00:00:01' ip='10.0.0.5'><lease expiry='2'/></host></dhcp></ip>")]
    [InlineData("<ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.0.2' end='10.0.0.9'/></dhcp></ip><ip family='ipv6' address='2001:db8::1' prefix='64'><dhcp><range start='2001:db8::2' end='2001:db8::9'/></dhcp></ip><ip address='10.0.1.1' prefix='24'/>")]
    [InlineData("<forward mode='route'/><ip address='10.0.0.1' netmask='255.255.255.0'/><route address='10.1.0.0' prefix='16' gateway='10.0.0.254'/>")]
    [InlineData("<ip address='10.0.0.1'/><route address='10.1.0.0' prefix='16' gateway='10.200.0.1'/>")]
    [InlineData("<domain name='example.com' localOnly='yes' register='yes'/>" + Ip4)]
    [InlineData("<domain name='example.com' register='no'/>" + Ip4)]
    public void ValidDefinitionHasNoProblems(string body) => Assert.Empty(ErrorIds(body));

    [Fact]
    public void NameRules()
    {
        IReadOnlyList<string> Ids(string name) => NetworkValidator.Validate(new NetworkDefinition { Name = name }).Select(p => p.ErrorId).ToList();
        Assert.Equal([Problems.ErrorIds.NameMissing], Ids(""));
        Assert.Equal([Problems.ErrorIds.NameInvalid], Ids("a\nb"));
        Assert.Equal([Problems.ErrorIds.NameInvalid], Ids("a/b"));
        Assert.Equal([Problems.ErrorIds.NameTooLong], Ids(new string('é', 101)));
        Assert.Empty(Ids(new string('é', 100)));
        Assert.Empty(Ids("with \"quotes\" and 'more'"));
    }

    [Fact]
    public void EveryProblemIsReportedAtOnce()
    {
        var problems = ErrorIds("<forward mode='nat'/><mac address='01:00:5e:00:00:01'/><bridge name='this-is-far-too-long'/>");
        Assert.Equal(3, problems.Count);
        Assert.Equal([Problems.ErrorIds.IpRequired, Problems.ErrorIds.BridgeNameInvalid, Problems.ErrorIds.MacAddressInvalid], problems);
    }

    [Fact]
    public void ProblemsCarryCategoryTargetAndAdvice()
    {
        var problem = Assert.Single(NetworkValidator.Validate(NetworkXml.Parse("<network><name>net1</name><forward mode='route'/></network>")));
        Assert.Equal(ProblemCategory.InvalidData, problem.Category);
        Assert.Equal("net1", problem.Target);
        Assert.Contains("Add an <ip", problem.Message);
    }
}
