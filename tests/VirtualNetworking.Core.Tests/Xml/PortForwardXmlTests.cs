using System.Net;
using System.Xml.Linq;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Xml;
using Ids = VirtualNetworking.Core.Problems.ErrorIds;

namespace VirtualNetworking.Core.Tests.Xml;

/// <summary>Port forwards kept in &lt;metadata&gt; under our namespace, next to other applications' metadata.</summary>
public sealed class PortForwardXmlTests
{
    private const string Ns = "https://virtualnetworking.dev/schemas/network/1.0";

    /// <summary>The canonical form: foreign metadata first as it was, then each forward, attributes in a fixed order.</summary>
    private const string Canonical = $"""
        <network>
          <name>fwd</name>
          <metadata>
            <app1:foo xmlns:app1='http://app1.org/app1/'>fooish</app1:foo>
            <vnet:portForward xmlns:vnet='{Ns}' protocol='tcp' hostPort='8080' guestAddress='192.168.50.10' guestPort='80' description='web &amp; more'/>
            <vnet:portForward xmlns:vnet='{Ns}' protocol='udp' hostAddress='203.0.113.5' hostPort='5000-5009' guestAddress='192.168.50.11' guestPort='6000-6009'>
              <vnet:source prefix='198.51.100.0/24'/>
              <vnet:source prefix='2001:db8::/32'/>
            </vnet:portForward>
            <vnet:portForward xmlns:vnet='{Ns}' protocol='tcp' hostPort='2222' guestAddress='192.168.50.12'/>
          </metadata>
          <forward mode='nat'/>
          <bridge stp='on' delay='0'/>
          <ip address='192.168.50.1' prefix='24'/>
        </network>

        """;

    [Fact]
    public void The_canonical_form_round_trips_unchanged() =>
        Assert.Equal(Canonical.ReplaceLineEndings("\n"), NetworkXml.Format(NetworkXml.Parse(Canonical)));

    [Fact]
    public void Forwards_are_read_into_the_model_and_out_of_the_foreign_metadata()
    {
        var definition = NetworkXml.Parse(Canonical);

        Assert.Equal(3, definition.PortForwards.Count);
        var web = definition.PortForwards[0];
        Assert.Equal((PortProtocol.Tcp, 8080, (int?)null, IPAddress.Parse("192.168.50.10"), (int?)80, "web & more"),
            (web.Protocol, web.HostPort, web.HostPortEnd, web.GuestAddress, web.GuestPort, web.Description));
        Assert.Null(web.HostAddress);
        var range = definition.PortForwards[1];
        Assert.Equal((PortProtocol.Udp, IPAddress.Parse("203.0.113.5"), 5000, (int?)5009, 6000, 6009),
            (range.Protocol, range.HostAddress, range.HostPort, range.HostPortEnd, range.GuestPortFirst, range.GuestPortLast));
        Assert.Equal(["198.51.100.0/24", "2001:db8::/32"], range.SourcePrefixes);
        var ssh = definition.PortForwards[2];
        Assert.Equal((2222, 2222), (ssh.GuestPortFirst, ssh.GuestPortLast)); // the guest port defaults to the host's
        var foreign = Assert.Single(definition.Metadata!.Elements());
        Assert.Equal(XName.Get("foo", "http://app1.org/app1/"), foreign.Name);
    }

    [Fact]
    public void Other_metadata_around_and_between_forwards_is_kept_and_forwards_go_last()
    {
        var xml = $"""
            <network xmlns:vnet='{Ns}'>
              <name>fwd</name>
              <metadata>
                <vnet:portForward protocol='tcp' hostPort='1' guestAddress='10.0.0.2'/>
                <a:one xmlns:a='urn:a' x='1'><a:inner>text</a:inner></a:one>
                <vnet:portForward protocol='tcp' hostPort='2' guestAddress='10.0.0.3'/>
                <b:two xmlns:b='urn:b'/>
              </metadata>
            </network>
            """;
        var expected = $"""
            <network>
              <name>fwd</name>
              <metadata>
                <a:one xmlns:a='urn:a' x='1'>
                  <a:inner>text</a:inner>
                </a:one>
                <b:two xmlns:b='urn:b'/>
                <vnet:portForward xmlns:vnet='{Ns}' protocol='tcp' hostPort='1' guestAddress='10.0.0.2'/>
                <vnet:portForward xmlns:vnet='{Ns}' protocol='tcp' hostPort='2' guestAddress='10.0.0.3'/>
              </metadata>
              <bridge stp='on' delay='0'/>
            </network>

            """;
        var formatted = NetworkXml.Format(NetworkXml.Parse(xml));
        Assert.Equal(expected.ReplaceLineEndings("\n"), formatted);
        Assert.Equal(formatted, NetworkXml.Format(NetworkXml.Parse(formatted)));
    }

    [Fact]
    public void Metadata_of_only_forwards_goes_when_the_forwards_go_and_foreign_metadata_stays()
    {
        var onlyOurs = NetworkXml.Parse($"<network><name>n</name><metadata><vnet:portForward xmlns:vnet='{Ns}' protocol='tcp' hostPort='1' guestAddress='10.0.0.2'/></metadata></network>");
        onlyOurs.PortForwards.Clear();
        Assert.DoesNotContain("metadata", NetworkXml.Format(onlyOurs));

        var mixed = NetworkXml.Parse($"<network><name>n</name><metadata><a:x xmlns:a='urn:a'/><vnet:portForward xmlns:vnet='{Ns}' protocol='tcp' hostPort='1' guestAddress='10.0.0.2'/></metadata></network>");
        mixed.PortForwards.Clear();
        Assert.Contains("<metadata>\n    <a:x xmlns:a='urn:a'/>\n  </metadata>", NetworkXml.Format(mixed));
    }

    [Fact]
    public void A_forward_added_to_a_network_without_metadata_creates_it()
    {
        var definition = NetworkXml.Parse("<network><name>n</name><forward mode='nat'/><ip address='10.0.0.1' prefix='24'/></network>");
        definition.PortForwards.Add(new PortForwardDefinition { Protocol = PortProtocol.Udp, HostPort = 53, GuestAddress = IPAddress.Parse("10.0.0.5") });

        var text = NetworkXml.Format(definition);

        Assert.Contains($"  <metadata>\n    <vnet:portForward xmlns:vnet='{Ns}' protocol='udp' hostPort='53' guestAddress='10.0.0.5'/>\n  </metadata>\n  <forward mode='nat'/>", text);
        Assert.Single(NetworkXml.Parse(text).PortForwards);
    }

    [Theory]
    [InlineData("protocol='sctp' hostPort='1' guestAddress='10.0.0.2'/>")]
    [InlineData("hostPort='1' guestAddress='10.0.0.2'/>")]
    [InlineData("protocol='tcp' guestAddress='10.0.0.2'/>")]
    [InlineData("protocol='tcp' hostPort='http' guestAddress='10.0.0.2'/>")]
    [InlineData("protocol='tcp' hostPort='80-' guestAddress='10.0.0.2'/>")]
    [InlineData("protocol='tcp' hostPort='-80' guestAddress='10.0.0.2'/>")]
    [InlineData("protocol='tcp' hostPort='80' guestAddress='10.0.0.2' guestPort='8o'/>")]
    [InlineData("protocol='tcp' hostPort='80'/>")]
    [InlineData("protocol='tcp' hostPort='80' guestAddress='guest'/>")]
    [InlineData("protocol='tcp' hostPort='80' guestAddress='10.0.0.2' hostAddress='10.1'/>")]
    [InlineData("protocol='tcp' hostPort='80' guestAddress='10.0.0.2'><vnet:source/></vnet:portForward>")]
    public void A_malformed_forward_is_a_definition_problem(string element)
    {
        var xml = $"<network><name>n</name><metadata><vnet:portForward xmlns:vnet='{Ns}' {element}</metadata></network>";
        var problem = Assert.Single(Assert.Throws<NetworkProblemException>(() => NetworkXml.Parse(xml)).Problems);
        Assert.Equal(Ids.PortForwardInvalid, problem.ErrorId);
        Assert.Equal(ProblemCategory.InvalidData, problem.Category);
    }
}
