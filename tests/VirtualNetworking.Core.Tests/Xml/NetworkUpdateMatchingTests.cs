using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Xml;
using Ids = VirtualNetworking.Core.Problems.ErrorIds;

namespace VirtualNetworking.Core.Tests.Xml;

/// <summary>
/// Which entry net-update adds, modifies or deletes, and which snippets it refuses, as libvirt's
/// virNetworkDefUpdate* functions (src/conf/network_conf.c) decide it.
/// </summary>
public sealed class NetworkUpdateMatchingTests
{
    private const string Base = """
        <network>
          <name>n</name>
          <forward mode='nat'/>
          <dns>
            <txt name='example' value='one'/>
            <srv service='ldap' protocol='tcp' target='a.example' port='389'/>
            <srv service='ldap' protocol='udp'/>
            <host ip='10.0.0.5'>
              <hostname>web</hostname>
              <hostname>www</hostname>
            </host>
            <host ip='10.0.0.6'>
              <hostname>db</hostname>
            </host>
          </dns>
          <ip address='10.0.0.1' prefix='24'>
            <dhcp>
              <range start='10.0.0.100' end='10.0.0.200'/>
              <host mac='00:16:3e:00:00:01' name='a' ip='10.0.0.10'/>
              <host name='b' ip='10.0.0.11'/>
            </dhcp>
          </ip>
          <ip family='ipv6' address='2001:db8::1' prefix='64'>
            <dhcp>
              <host id='0:1:0:1:aa' name='v6' ip='2001:db8::5'/>
            </dhcp>
          </ip>
          <portgroup name='alice' default='yes'/>
        </network>
        """;

    private static NetworkDefinition Network() => NetworkXml.Parse(Base);

    private static NetworkDefinition Updated(string section, string command, string snippet, int parentIndex = -1)
    {
        var definition = Network();
        NetworkUpdate.Apply(definition, section, command, snippet, parentIndex);
        return definition;
    }

    /// <summary>The update is refused with <paramref name="errorId"/> and the definition is left as it was.</summary>
    private static void AssertRefused(string errorId, string section, string command, string snippet, int parentIndex = -1)
    {
        var definition = Network();
        var before = NetworkXml.Format(definition);
        var refusal = Assert.Throws<NetworkProblemException>(() => NetworkUpdate.Apply(definition, section, command, snippet, parentIndex));
        Assert.Equal(errorId, refusal.First.ErrorId);
        Assert.Equal(before, NetworkXml.Format(definition));
    }

    private static IEnumerable<string> DnsHostIps(NetworkDefinition definition) => definition.Dns!.Hosts.Select(h => h.Address.ToString());

    private static IEnumerable<string?> DhcpHostNames(NetworkDefinition definition, int ip) => definition.Ips[ip].Dhcp!.Hosts.Select(h => h.Name);

    // dns-host (virNetworkDefUpdateDNSHost, virNetworkDNSHostDefParseXML)

    [Fact]
    public void DnsHostDeleteFindsTheHostByAHostnameWithoutIp() =>
        Assert.Equal(["10.0.0.6"], DnsHostIps(Updated("dns-host", "delete", "<host><hostname>www</hostname></host>")));

    [Fact]
    public void DnsHostDeleteFindsTheHostByIpWhateverItsHostnames() =>
        Assert.Equal(["10.0.0.5"], DnsHostIps(Updated("dns-host", "delete", "<host ip='10.0.0.6'><hostname>other</hostname></host>")));

    [Fact]
    public void DnsHostDeleteMatchingTwoHostsIsRefused() =>
        AssertRefused(Ids.UpdateEntryNotFound, "dns-host", "delete", "<host><hostname>web</hostname><hostname>db</hostname></host>");

    [Fact]
    public void DnsHostDeleteWithNeitherIpNorHostnameIsRefused() =>
        AssertRefused(Ids.DnsHostInvalid, "dns-host", "delete", "<host/>");

    [Fact]
    public void DnsHostDeleteWithAnEmptyHostnameIsRefused() =>
        AssertRefused(Ids.DnsHostInvalid, "dns-host", "delete", "<host ip='10.0.0.5'><hostname></hostname></host>");

    [Fact]
    public void DnsHostAddClashesOnTheIpOnly()
    {
        AssertRefused(Ids.UpdateEntryExists, "dns-host", "add-last", "<host ip='10.0.0.5'><hostname>new</hostname></host>");
        // The same name on another address is a legitimate configuration.
        Assert.Equal(["10.0.0.5", "10.0.0.6", "10.0.0.7"], DnsHostIps(Updated("dns-host", "add-last", "<host ip='10.0.0.7'><hostname>web</hostname></host>")));
    }

    [Fact]
    public void DnsHostModifyReplacesTheHostWithThatIpAndDoesNotMatchByHostname()
    {
        var modified = Updated("dns-host", "modify", "<host ip='10.0.0.6'><hostname>db2</hostname></host>");
        Assert.Equal(["db2"], modified.Dns!.Hosts[1].Hostnames);
        AssertRefused(Ids.UpdateEntryNotFound, "dns-host", "modify", "<host ip='10.0.0.9'><hostname>web</hostname></host>");
    }

    [Fact]
    public void DnsHostModifyWithoutHostnamesIsRefused() =>
        AssertRefused(Ids.DnsHostInvalid, "dns-host", "modify", "<host ip='10.0.0.6'/>");

    // dns-txt (virNetworkDefUpdateDNSTxt, virNetworkDNSTxtDefParseXML)

    [Theory]
    [InlineData("add-last", "<txt name='a b' value='v'/>")]
    [InlineData("delete", "<txt name='a,b'/>")]
    [InlineData("modify", "<txt name='a b' value='v'/>")]
    public void DnsTxtNameWithProhibitedCharactersIsRefused(string command, string snippet) =>
        AssertRefused(Ids.DnsTxtInvalid, "dns-txt", command, snippet);

    [Fact]
    public void DnsTxtDeleteFindsTheRecordByNameAlone() =>
        Assert.Empty(Updated("dns-txt", "delete", "<txt name='example' value='not its value'/>").Dns!.TxtRecords);

    [Fact]
    public void DnsTxtModifyNeedsTheValue() =>
        AssertRefused(Ids.DnsTxtInvalid, "dns-txt", "modify", "<txt name='example'/>");

    // dns-srv (virNetworkDefUpdateDNSSrv, virNetworkDNSSrvDefParseXML)

    [Fact]
    public void DnsSrvCannotBeModified() =>
        AssertRefused(Ids.UpdateCommandUnsupported, "dns-srv", "modify", "<srv service='ldap' protocol='udp' target='b.example'/>");

    [Fact]
    public void DnsSrvAddClashesWithARecordHavingEveryGivenField()
    {
        AssertRefused(Ids.UpdateEntryExists, "dns-srv", "add-last", "<srv service='ldap' protocol='tcp'/>");
        AssertRefused(Ids.UpdateEntryExists, "dns-srv", "add-last", "<srv service='ldap' protocol='tcp' target='a.example' port='636'/>");
        var added = Updated("dns-srv", "add-last", "<srv service='ldap' protocol='tcp' target='b.example' port='389'/>");
        Assert.Equal([null, "a.example", "b.example"], added.Dns!.SrvRecords.Select(s => s.Target).Order());
    }

    [Fact]
    public void DnsSrvDeleteDoesNotCompareThePortPriorityOrWeight() =>
        Assert.Equal(["udp"], Updated("dns-srv", "delete", "<srv service='ldap' protocol='tcp' target='a.example' port='999' weight='5'/>")
            .Dns!.SrvRecords.Select(s => s.Protocol));

    [Fact]
    public void DnsSrvDeleteWithoutAttributesTakesTheOnlyRecord()
    {
        var one = Updated("dns-srv", "delete", "<srv protocol='udp'/>");
        NetworkUpdate.Apply(one, "dns-srv", "delete", "<srv/>");
        Assert.Empty(one.Dns!.SrvRecords);
        AssertRefused(Ids.UpdateEntryNotFound, "dns-srv", "delete", "<srv/>");
    }

    [Theory]
    [InlineData("delete", "<srv service='ldap' port='389'/>")]
    [InlineData("delete", "<srv service='l dap'/>")]
    [InlineData("add-last", "<srv service='l dap' protocol='tcp'/>")]
    [InlineData("add-last", "<srv service='kerberos' protocol='tcp' target='k.example' port='0'/>")]
    public void DnsSrvFieldsAreCheckedAsLibvirtParsesThem(string command, string snippet) =>
        AssertRefused(Ids.DnsSrvInvalid, "dns-srv", command, snippet);

    // ip-dhcp-host (virNetworkDefUpdateIPDHCPHost, virNetworkDHCPHostDefParseXML)

    [Fact]
    public void DhcpHostDeleteByIdAloneIsRefused() =>
        AssertRefused(Ids.DhcpHostInvalid, "ip-dhcp-host", "delete", "<host id='0:1:0:1:aa'/>", parentIndex: 1);

    [Fact]
    public void DhcpHostDeleteDoesNotCompareTheId() =>
        Assert.Empty(Updated("ip-dhcp-host", "delete", "<host id='ff:ff' name='v6'/>", parentIndex: 1).Ips[1].Dhcp!.Hosts);

    [Fact]
    public void DhcpHostAddDoesNotClashOnTheId() =>
        Assert.Equal(["v6", "v6b"], DhcpHostNames(Updated("ip-dhcp-host", "add-last", "<host id='0:1:0:1:aa' name='v6b' ip='2001:db8::6'/>", parentIndex: 1), 1));

    [Fact]
    public void DhcpHostModifyDoesNotFindTheHostByTheId() =>
        AssertRefused(Ids.UpdateEntryNotFound, "ip-dhcp-host", "modify", "<host id='0:1:0:1:aa' name='v6c' ip='2001:db8::7'/>", parentIndex: 1);

    [Fact]
    public void DhcpHostDeleteMatchesAHostWithoutMacByItsOtherAttributes() =>
        Assert.Equal(["a"], DhcpHostNames(Updated("ip-dhcp-host", "delete", "<host mac='00:16:3e:00:00:09' name='b' ip='10.0.0.11'/>"), 0));

    [Fact]
    public void DhcpHostDeleteByMacAloneDoesNotTakeAHostWithoutMac() =>
        AssertRefused(Ids.UpdateEntryNotFound, "ip-dhcp-host", "delete", "<host mac='00:16:3e:00:00:09'/>");

    [Fact]
    public void DhcpHostDeleteNeedsEveryGivenAttributeToMatch() =>
        AssertRefused(Ids.UpdateEntryNotFound, "ip-dhcp-host", "delete", "<host mac='00:16:3e:00:00:09' ip='10.0.0.10'/>");

    [Theory]
    [InlineData("ip-dhcp-host", "add-last", "<host mac='00:16:3e:00:00:02' ip='10.0.0.12'><lease expiry='1'/></host>")]
    [InlineData("ip-dhcp-host", "modify", "<host mac='00:16:3e:00:00:01' ip='10.0.0.10'><lease expiry='119' unit='seconds'/></host>")]
    [InlineData("ip-dhcp-range", "add-last", "<range start='10.0.0.20' end='10.0.0.30'><lease expiry='1'/></range>")]
    public void LeasesShorterThanTwoMinutesAreRefused(string section, string command, string snippet) =>
        AssertRefused(Ids.LeaseTooShort, section, command, snippet);

    [Fact]
    public void AddingDhcpIsRefusedWhileAnotherIpOfTheFamilyAlsoHasDhcp()
    {
        var definition = NetworkXml.Parse("""
            <network>
              <name>n</name>
              <ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.0.2' end='10.0.0.9'/></dhcp></ip>
              <ip address='10.0.1.1' prefix='24'><dhcp><range start='10.0.1.2' end='10.0.1.9'/></dhcp></ip>
            </network>
            """);
        var before = NetworkXml.Format(definition);
        var refusal = Assert.Throws<NetworkProblemException>(() =>
            NetworkUpdate.Apply(definition, "ip-dhcp-host", "add-last", "<host mac='00:16:3e:00:00:02' ip='10.0.0.12'/>", parentIndex: 0));
        Assert.Equal(Ids.DhcpMultiple, refusal.First.ErrorId);
        Assert.Equal(before, NetworkXml.Format(definition));
    }

    // ip-dhcp-range (virNetworkDefUpdateIPDHCPRange, virNetworkDHCPRangeDefParseXML)

    [Fact]
    public void DhcpRangeDeleteOutsideTheSubnetIsRefusedAsInvalid() =>
        AssertRefused(Ids.DhcpRangeInvalid, "ip-dhcp-range", "delete", "<range start='10.0.9.2' end='10.0.9.3'/>");

    // portgroup (virNetworkDefUpdatePortGroup, virNetworkPortGroupParseXML)

    [Fact]
    public void PortGroupDefaultIsReadCaseInsensitively() =>
        AssertRefused(Ids.UpdateEntryExists, "portgroup", "add-last", "<portgroup name='bob' default='Yes'/>");
}
