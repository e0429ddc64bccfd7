using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Xml;

namespace VirtualNetworking.Core.Tests.Xml;

public sealed class NetworkXmlFormatTests
{
    private const string Exotic = """
        <network trustGuestRxFilters='no'>
          <name>exotic</name>
          <uuid>81ff0d90-c91e-6742-64da-4a736edb9a9b</uuid>
          <title>T</title>
          <description>D &amp; more</description>
          <metadata>
            <app1:foo xmlns:app1='http://app1.org/app1/'>fooish</app1:foo>
          </metadata>
          <forward mode='hostdev' managed='yes'>
            <driver name='vfio'/>
            <pf dev='eth3'/>
            <address type='pci' domain='0x0000' bus='0x03' slot='0x00' function='0x1'/>
          </forward>
          <vlan trunk='yes'>
            <tag id='42' nativeMode='untagged'/>
          </vlan>
          <bandwidth>
            <inbound average='1000' peak='2000' burst='1024'/>
          </bandwidth>
          <port isolated='yes'/>
          <virtualport type='openvswitch'>
            <parameters profileid='p'/>
          </virtualport>
          <portgroup name='alice' default='yes'>
            <vlan>
              <tag id='888'/>
            </vlan>
          </portgroup>
          <portgroup name='bob'/>
          <dnsmasq:options xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'>
            <dnsmasq:option value='foo=bar'/>
          </dnsmasq:options>
        </network>

        """;

    [Fact]
    public void ExoticElementsSurviveARoundTrip()
    {
        var formatted = NetworkXml.Format(NetworkXml.Parse(Exotic));
        var expected = Exotic
            .Replace("<network trustGuestRxFilters='no'>", "<network trustGuestRxFilters='no' xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'>")
            .Replace("<dnsmasq:options xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'>", "<dnsmasq:options>")
            .Replace("\r\n", "\n");
        Assert.Equal(expected, formatted);
        Assert.Equal(formatted, NetworkXml.Format(NetworkXml.Parse(formatted)));
    }

    [Fact]
    public void QuotesAndMarkupAreEscapedAsLibvirtDoes()
    {
        var definition = NetworkXml.Parse("<network><name>a\"b'c&lt;d&gt;&amp;</name><bridge name=\"x'y\"/></network>");
        var formatted = NetworkXml.Format(definition);
        Assert.Contains("<name>a&quot;b&apos;c&lt;d&gt;&amp;</name>", formatted);
        Assert.Contains("<bridge name='x&apos;y' stp='on' delay='0'/>", formatted);
        Assert.Equal(definition.Name, NetworkXml.Parse(formatted).Name);
    }

    [Fact]
    public void IsolatedNetworkGetsBridgeDefaultsAndUplinkGoesLast()
    {
        var bridged = new NetworkDefinition { Name = "lan", Forward = new ForwardDefinition { Mode = NetworkMode.Bridged }, Bridge = new BridgeDefinition { Name = "br0" }, UplinkDevice = "eth0" };
        Assert.Equal("""
            <network>
              <name>lan</name>
              <forward mode='bridge'/>
              <bridge name='br0'/>
              <vnet:uplink xmlns:vnet='https://virtualnetworking.dev/schemas/network/1.0' dev='eth0'/>
            </network>

            """.Replace("\r\n", "\n"), NetworkXml.Format(bridged));
        Assert.Equal("""
            <network>
              <name>iso</name>
              <bridge stp='on' delay='0'/>
            </network>

            """.Replace("\r\n", "\n"), NetworkXml.Format(new NetworkDefinition { Name = "iso" }));
        Assert.Equal(NetworkXml.Format(new NetworkDefinition { Name = "iso" }),
            NetworkXml.Format(new NetworkDefinition { Name = "iso", Forward = new ForwardDefinition { Mode = NetworkMode.Isolated } }));
    }

    [Fact]
    public void NatAndMacAreCanonicalised()
    {
        var definition = NetworkXml.Parse("""
            <network><name>n</name><mac address='52:54:00:AB:0C:1'/>
            <forward mode='nat'><nat ipv6='yes'/></forward><ip address='10.0.0.1' prefix='24'/></network>
            """);
        var formatted = NetworkXml.Format(definition);
        Assert.Contains("<mac address='52:54:00:ab:0c:01'/>", formatted);
        Assert.Contains("  <forward mode='nat'>\n    <nat ipv6='yes'/>\n  </forward>\n", formatted);
    }

    [Fact]
    public void DefaultsFillTheBridgeMacOnlyForManagedModes()
    {
        var nat = new NetworkDefinition { Name = "n", Forward = new ForwardDefinition() };
        NetworkDefaults.Apply(nat, () => [0xab, 0x01, 0xff], () => Guid.Empty);
        Assert.Equal("52:54:00:ab:01:ff", nat.MacAddress);
        Assert.Equal(Guid.Empty, nat.Uuid);
        var bridged = new NetworkDefinition { Name = "b", Forward = new ForwardDefinition { Mode = NetworkMode.Bridged } };
        NetworkDefaults.Apply(bridged, () => [1, 2, 3], Guid.NewGuid);
        Assert.Null(bridged.MacAddress);
    }

    /// <summary>virNetworkIPDefFormat: the unit is always written when expiry is above 0 (minutes by default); expiry 0 (infinite) is written alone.</summary>
    [Theory]
    [InlineData("<lease expiry='30'/>", "<lease expiry='30' unit='minutes'/>")]
    [InlineData("<lease expiry='30' unit='minutes'/>", "<lease expiry='30' unit='minutes'/>")]
    [InlineData("<lease expiry='120' unit='seconds'/>", "<lease expiry='120' unit='seconds'/>")]
    [InlineData("<lease expiry='2' unit='hours'/>", "<lease expiry='2' unit='hours'/>")]
    [InlineData("<lease expiry='0'/>", "<lease expiry='0'/>")]
    [InlineData("<lease expiry='0' unit='hours'/>", "<lease expiry='0'/>")]
    public void LeaseUnitIsWrittenAsLibvirtDoes(string lease, string expected)
    {
        var formatted = NetworkXml.Format(NetworkXml.Parse($"""
            <network>
              <name>n</name>
              <ip address='10.0.0.1' prefix='24'>
                <dhcp>
                  <range start='10.0.0.2' end='10.0.0.9'>{lease}</range>
                  <host mac='00:16:3e:00:00:01' ip='10.0.0.5'>{lease}</host>
                </dhcp>
              </ip>
            </network>
            """));
        Assert.Contains($"<range start='10.0.0.2' end='10.0.0.9'>\n        {expected}\n      </range>\n", formatted);
        Assert.Contains($"<host mac='00:16:3e:00:00:01' ip='10.0.0.5'>\n        {expected}\n      </host>\n", formatted);
        Assert.Equal(formatted, NetworkXml.Format(NetworkXml.Parse(formatted)));
    }
}
