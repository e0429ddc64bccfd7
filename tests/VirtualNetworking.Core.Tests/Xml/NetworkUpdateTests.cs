using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Xml;
using Ids = VirtualNetworking.Core.Problems.ErrorIds;

namespace VirtualNetworking.Core.Tests.Xml;

public sealed class NetworkUpdateTests
{
    private const string Base = """
        <network>
          <name>n</name>
          <forward mode='nat'/>
          <ip address='10.0.0.1' prefix='24'>
            <dhcp>
              <range start='10.0.0.100' end='10.0.0.200'/>
              <host mac='00:16:3e:00:00:01' name='a' ip='10.0.0.10'/>
            </dhcp>
          </ip>
          <ip address='10.0.1.1' prefix='24'/>
          <ip family='ipv6' address='2001:db8::1' prefix='64'/>
        </network>
        """;

    private static NetworkDefinition Network() => NetworkXml.Parse(Base);

    private static string Refused(string section, string command, string snippet, int parentIndex = -1)
    {
        var definition = Network();
        var before = NetworkXml.Format(definition);
        var refusal = Assert.Throws<NetworkProblemException>(() => NetworkUpdate.Apply(definition, section, command, snippet, parentIndex));
        Assert.Equal(before, NetworkXml.Format(definition));
        return refusal.First.ErrorId;
    }

    [Theory]
    [InlineData("bridge", "modify", "<bridge name='virbr9'/>", Ids.UpdateSectionUnsupported)]
    [InlineData("ip", "add-last", "<ip address='10.0.2.1'/>", Ids.UpdateSectionUnsupported)]
    [InlineData("ip-dhcp-host", "replace", "<host mac='00:16:3e:00:00:02' ip='10.0.0.11'/>", Ids.UpdateCommandUnsupported)]
    [InlineData("ip-dhcp-host", "add-last", "<range start='10.0.0.2' end='10.0.0.3'/>", Ids.UpdateElementUnexpected)]
    [InlineData("ip-dhcp-host", "add-last", "<host mac='00:16:3e:00:00:02' name='a' ip='10.0.0.11'/>", Ids.UpdateEntryExists)]
    [InlineData("ip-dhcp-host", "add-last", "<host name='b' ip='2001:db8::5'/>", Ids.DhcpHostInvalid)]
    [InlineData("ip-dhcp-host", "delete", "<host mac='00:16:3e:00:00:09'/>", Ids.UpdateEntryNotFound)]
    [InlineData("ip-dhcp-range", "modify", "<range start='10.0.0.100' end='10.0.0.200'/>", Ids.UpdateCommandUnsupported)]
    [InlineData("ip-dhcp-range", "add-last", "<range start='10.0.9.2' end='10.0.9.3'/>", Ids.DhcpRangeInvalid)]
    [InlineData("ip-dhcp-range", "add-last", "<range start='10.0.0.100' end='10.0.0.200'/>", Ids.UpdateEntryExists)]
    [InlineData("forward-interface", "delete", "<interface dev='eth9'/>", Ids.UpdateEntryNotFound)]
    [InlineData("dns-txt", "add-last", "<txt name='x'/>", Ids.DnsTxtInvalid)]
    [InlineData("ip-dhcp-host", "add-last", "<!DOCTYPE host><host/>", Ids.XmlDtdProhibited)]
    public void RefusedUpdatesChangeNothing(string section, string command, string snippet, string errorId) =>
        Assert.Equal(errorId, Refused(section, command, snippet));

    [Fact]
    public void DhcpOnASecondIpOfTheSameFamilyIsRefused() =>
        Assert.Equal(Ids.DhcpMultiple, Refused("ip-dhcp-range", "add-last", "<range start='10.0.1.2' end='10.0.1.9'/>", parentIndex: 1));

    [Fact]
    public void MissingParentIndexIsRefused() =>
        Assert.Equal(Ids.UpdateParentInvalid, Refused("ip-dhcp-host", "add-last", "<host mac='00:16:3e:00:00:02' ip='10.0.0.11'/>", parentIndex: 7));

    [Fact]
    public void DefaultParentIsTheIpWithDhcp()
    {
        var definition = Network();
        NetworkUpdate.Apply(definition, "ip-dhcp-host", "add", "<host mac='00:16:3E:00:00:02' name='b' ip='10.0.0.11'/>");
        Assert.Equal(["00:16:3e:00:00:01", "00:16:3e:00:00:02"], definition.Ips[0].Dhcp!.Hosts.Select(h => h.Mac));
    }

    [Fact]
    public void PortGroupsKeepOneDefault()
    {
        var definition = Network();
        NetworkUpdate.Apply(definition, "portgroup", "add-last", "<portgroup name='a' default='yes'/>");
        Assert.Throws<NetworkProblemException>(() => NetworkUpdate.Apply(definition, "portgroup", "add-last", "<portgroup name='b' default='yes'/>"));
        NetworkUpdate.Apply(definition, "portgroup", "modify", "<portgroup name='a'><vlan><tag id='5'/></vlan></portgroup>");
        Assert.Contains("<portgroup name='a'>\n    <vlan>\n      <tag id='5'/>\n    </vlan>\n  </portgroup>", NetworkXml.Format(definition));
        NetworkUpdate.Apply(definition, "portgroup", "delete", "<portgroup name='a'/>");
        Assert.Empty(definition.PortGroups);
    }

    [Fact]
    public void DnsHostDeleteMatchesByHostnameAndSrvDeleteNeedsExactlyOne()
    {
        var definition = Network();
        NetworkUpdate.Apply(definition, "dns-host", "add-last", "<host ip='10.0.0.5'><hostname>web</hostname></host>");
        NetworkUpdate.Apply(definition, "dns-srv", "add-last", "<srv service='ldap' protocol='tcp'/>");
        NetworkUpdate.Apply(definition, "dns-srv", "add-last", "<srv service='ldap' protocol='udp'/>");
        Assert.Throws<NetworkProblemException>(() => NetworkUpdate.Apply(definition, "dns-srv", "delete", "<srv service='ldap'/>"));
        NetworkUpdate.Apply(definition, "dns-srv", "delete", "<srv service='ldap' protocol='udp'/>");
        NetworkUpdate.Apply(definition, "dns-host", "delete", "<host ip='10.9.9.9'><hostname>web</hostname></host>");
        Assert.Empty(definition.Dns!.Hosts);
        Assert.Equal("tcp", Assert.Single(definition.Dns.SrvRecords).Protocol);
    }
}
