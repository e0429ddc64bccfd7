using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Xml;
using Ids = VirtualNetworking.Core.Problems.ErrorIds;

namespace VirtualNetworking.Core.Tests.Xml;

public sealed class NetworkXmlParseTests
{
    private static NetworkProblemException Refused(string xml) => Assert.Throws<NetworkProblemException>(() => NetworkXml.Parse(xml));

    [Fact]
    public void ExternalEntityIsRefusedWithoutReadingTheFile()
    {
        const string xxe = """
            <?xml version="1.0"?>
            <!DOCTYPE network [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <network><name>&xxe;</name></network>
            """;
        var refusal = Refused(xxe);
        Assert.Equal(Ids.XmlDtdProhibited, Assert.Single(refusal.Problems).ErrorId);
        Assert.DoesNotContain("root:", refusal.Message);
    }

    [Fact]
    public void BillionLaughsIsRefused()
    {
        const string laughs = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [
              <!ENTITY lol "lol">
              <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
              <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
              <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
            ]>
            <network><name>&lol4;</name></network>
            """;
        Assert.Equal(Ids.XmlDtdProhibited, Refused(laughs).First.ErrorId);
    }

    [Fact]
    public void PlainDoctypeIsRefused() =>
        Assert.Equal(Ids.XmlDtdProhibited, Refused("<!DOCTYPE network><network><name>n</name></network>").First.ErrorId);

    [Fact]
    public void DocumentOverOneMebibyteIsRefused()
    {
        var xml = $"<network><name>n</name><description>{new string('a', NetworkXml.MaxDocumentBytes)}</description></network>";
        var problem = Refused(xml).First;
        Assert.Equal(Ids.XmlTooLarge, problem.ErrorId);
        Assert.Equal(ProblemCategory.LimitsExceeded, problem.Category);
    }

    [Fact]
    public void SizeLimitCountsUtf8BytesNotCharacters()
    {
        var xml = $"<network><name>n</name><description>{new string('é', 600_000)}</description></network>";
        Assert.True(xml.Length < NetworkXml.MaxDocumentBytes);
        Assert.Equal(Ids.XmlTooLarge, Refused(xml).First.ErrorId);
    }

    [Theory]
    [InlineData("<domain><name>n</name></domain>")]
    [InlineData("<net:network xmlns:net='urn:x'><name>n</name></net:network>")]
    public void WrongRootIsRefused(string xml) => Assert.Equal(Ids.XmlWrongRoot, Refused(xml).First.ErrorId);

    [Theory]
    [InlineData("this is not XML")]
    [InlineData("<network><name>n</name>")]
    [InlineData("")]
    public void NotWellFormedIsRefused(string xml) => Assert.Equal(Ids.XmlMalformed, Refused(xml).First.ErrorId);

    [Theory]
    [InlineData("<network/>", Ids.NameMissing)]
    [InlineData("<network><name>a/b</name></network>", Ids.NameInvalid)]
    [InlineData("<network><name>n</name><uuid>not-a-uuid</uuid></network>", Ids.UuidInvalid)]
    [InlineData("<network><name>n</name><forward mode='tunnel'/></network>", Ids.ForwardModeUnknown)]
    [InlineData("<network><name>n</name><forward mode='nat' dev='eth0'><interface dev='eth1'/></forward></network>", Ids.ForwardDevMismatch)]
    [InlineData("<network><name>n</name><mac address='52:54:00:zz:00:01'/></network>", Ids.MacAddressInvalid)]
    [InlineData("<network><name>n</name><ip address='192.168.1'/></network>", Ids.IpAddressInvalid)]
    [InlineData("<network><name>n</name><ip/></network>", Ids.IpAddressInvalid)]
    [InlineData("<network><name>n</name><ip address='10.0.0.1'><dhcp><range start='10.0.0.2'/></dhcp></ip></network>", Ids.DhcpRangeInvalid)]
    [InlineData("<network><name>n</name><ip address='10.0.0.1'><dhcp><host mac='00:16:3e:77:e2:zz' ip='10.0.0.3'/></dhcp></ip></network>", Ids.MacAddressInvalid)]
    [InlineData("<network><name>n</name><dns enable='no'><txt name='a' value='b'/></dns></network>", Ids.DnsDisabledWithRecords)]
    [InlineData("<network><name>n</name><dns><srv protocol='tcp'/></dns></network>", Ids.DnsSrvInvalid)]
    [InlineData("<network><name>n</name><dns><txt name='a'/></dns></network>", Ids.DnsTxtInvalid)]
    [InlineData("<network><name>n</name><dns><host><hostname>h</hostname></host></dns></network>", Ids.DnsHostInvalid)]
    [InlineData("<network><name>n</name><dns><forwarder/></dns></network>", Ids.DnsForwarderInvalid)]
    [InlineData("<network><name>n</name><bridge name='b' macTableManager='switch'/></network>", Ids.XmlValueInvalid)]
    [InlineData("<network><name>n</name><mtu size='-1'/></network>", Ids.MtuInvalid)]
    [InlineData("<network><name>n</name><route address='10.1.0.0' prefix='16'/></network>", Ids.RouteInvalid)]
    [InlineData("<network><name>n</name><vnet:uplink xmlns:vnet='https://virtualnetworking.dev/schemas/network/1.0'/></network>", Ids.UplinkInvalid)]
    public void ContentProblemIsRefusedWithItsErrorId(string xml, string errorId)
    {
        var problem = Assert.Single(Refused(xml).Problems);
        Assert.Equal(errorId, problem.ErrorId);
        Assert.Equal(ProblemCategory.InvalidData, problem.Category);
    }

    [Fact]
    public void EveryProblemIsReportedAtOnce()
    {
        const string xml = """
            <network>
              <name>n</name>
              <uuid>1234</uuid>
              <forward mode='tunnel'/>
              <mac address='xx:54:00:00:00:01'/>
            </network>
            """;
        Assert.Equal([Ids.UuidInvalid, Ids.ForwardModeUnknown, Ids.MacAddressInvalid], Refused(xml).Problems.Select(p => p.ErrorId));
    }

    [Fact]
    public void EitherQuoteStyleAndAnyAttributeOrderIsAccepted()
    {
        var definition = NetworkXml.Parse("<network><name>n</name><ip prefix=\"24\" address='10.0.0.1'/></network>");
        Assert.Equal(24, Assert.Single(definition.Ips).Prefix);
    }

    [Fact]
    public void ForwardWithoutModeIsNat() =>
        Assert.Equal(Model.NetworkMode.Nat, NetworkXml.Parse("<network><name>n</name><forward/></network>").Mode);

    [Fact]
    public void UplinkExtensionIsRead()
    {
        var definition = NetworkXml.Parse("<network><name>n</name><forward mode='bridge'/><bridge name='br0'/><vnet:uplink xmlns:vnet='https://virtualnetworking.dev/schemas/network/1.0' dev='eth0'/></network>");
        Assert.Equal("eth0", definition.UplinkDevice);
    }
}
