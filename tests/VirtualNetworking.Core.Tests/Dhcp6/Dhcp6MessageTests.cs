using System.Net;
using VirtualNetworking.Core.Dhcp6;

namespace VirtualNetworking.Core.Tests.Dhcp6;

/// <summary>The codec against messages laid out by hand from RFC 8415 §8 and §21, byte for byte.</summary>
public class Dhcp6MessageTests
{
    /// <summary>A Solicit as dhclient -6 sends one: client id (DUID-LLT), ORO for DNS servers and domain list, elapsed time, an empty IA_NA.</summary>
    private const string Solicit =
        "01a1b2c3" +
        "0001000e" + "000100012a3b4c5d525400123456" +
        "00060004" + "00170018" +
        "00080002" + "0000" +
        "0003000c" + "12345678" + "00000000" + "00000000";

    /// <summary>A Reply with a DUID-UUID server id, an IA_NA holding one IAADDR, DNS servers and the domain list vm.test.</summary>
    private const string Reply =
        "07a1b2c3" +
        "00020012" + "0004" + "c4d2a51e3c0a4b1b9d376a3e5f0c1b2d" +
        "0001000e" + "000100012a3b4c5d525400123456" +
        "00030028" + "12345678" + "00000708" + "00000b40" +
        "00050018" + "fd000005000000000000000000000123" + "00000e10" + "00000e10" +
        "00170010" + "fd000005000000000000000000000001" +
        "00180009" + "02766d0474657374" + "00";

    [Fact]
    public void A_solicit_parses_and_writes_back_byte_for_byte()
    {
        var bytes = Convert.FromHexString(Solicit);
        Assert.True(Dhcp6Message.TryParse(bytes, out var message, out var problem), problem);
        Assert.Equal(Dhcp6MessageType.Solicit, message.MessageType);
        Assert.Equal(0xa1b2c3u, message.TransactionId);
        Assert.Equal("00:01:00:01:2a:3b:4c:5d:52:54:00:12:34:56", message.ClientId!.ToString());
        Assert.Equal(DuidType.LinkLayerPlusTime, message.ClientId.Type);
        Assert.Null(message.ServerId);
        Assert.Equal([Dhcp6OptionCode.DnsServers, Dhcp6OptionCode.DomainList], message.RequestedOptions);
        Assert.Equal((ushort)0, message.ElapsedTime);
        var ia = Assert.Single(message.IaNas);
        Assert.Equal(new Dhcp6IaNa(0x12345678, 0, 0, []), ia);
        Assert.Equal(bytes, message.ToArray());
    }

    [Fact]
    public void A_reply_parses_and_writes_back_byte_for_byte()
    {
        var bytes = Convert.FromHexString(Reply);
        Assert.True(Dhcp6Message.TryParse(bytes, out var message, out var problem), problem);
        Assert.Equal(Duid.FromUuid(Guid.Parse("c4d2a51e-3c0a-4b1b-9d37-6a3e5f0c1b2d")), message.ServerId);
        var ia = Assert.Single(message.IaNas);
        Assert.Equal((1800u, 2880u), (ia.T1, ia.T2));
        Assert.Equal(new Dhcp6IaAddress(IPAddress.Parse("fd00:5::123"), 3600, 3600), Assert.Single(ia.Addresses));
        Assert.Equal([IPAddress.Parse("fd00:5::1")], message.DnsServers);
        Assert.Equal("vm.test", Assert.Single(message.DomainList).ToString());
        Assert.Equal(bytes, message.ToArray());
    }

    [Fact]
    public void Messages_made_from_typed_options_write_the_same_bytes()
    {
        var client = Duid.Parse("00:01:00:01:2a:3b:4c:5d:52:54:00:12:34:56");
        var made = new Dhcp6Message(Dhcp6MessageType.Reply, 0xa1b2c3,
        [
            Dhcp6Option.ServerId(Duid.FromUuid(Guid.Parse("c4d2a51e-3c0a-4b1b-9d37-6a3e5f0c1b2d"))),
            Dhcp6Option.ClientId(client),
            Dhcp6Option.IaNa(new(0x12345678, 1800, 2880, [new(IPAddress.Parse("fd00:5::123"), 3600, 3600)])),
            Dhcp6Option.DnsServers([IPAddress.Parse("fd00:5::1")]),
            Dhcp6Option.DomainList([VirtualNetworking.Core.Dns.DnsName.Parse("vm.test")]),
        ]);
        Assert.Equal(Reply, Convert.ToHexStringLower(made.ToArray()));
    }

    [Fact]
    public void Status_codes_nest_in_an_ia_and_its_addresses_and_unknown_options_stay_opaque()
    {
        var made = new Dhcp6Message(Dhcp6MessageType.Reply, 7,
        [
            Dhcp6Option.IaNa(new(9, 0, 0, [new(IPAddress.Parse("fd00:5::9"), 0, 0, new(Dhcp6StatusCode.NotOnLink, "off"))], new(Dhcp6StatusCode.NoBinding, "gone"))),
            Dhcp6Option.Status(new(Dhcp6StatusCode.Success, "ok ✓")),
            Dhcp6Option.RapidCommit(),
            Dhcp6Option.Preference(255),
            new Dhcp6Option(39999, [1, 2, 3]),
        ]);
        Assert.True(Dhcp6Message.TryParse(made.ToArray(), out var parsed, out var problem), problem);
        var ia = Assert.Single(parsed.IaNas);
        Assert.Equal(new Dhcp6Status(Dhcp6StatusCode.NoBinding, "gone"), ia.Status);
        Assert.Equal(new Dhcp6Status(Dhcp6StatusCode.NotOnLink, "off"), Assert.Single(ia.Addresses).Status);
        Assert.Equal(new Dhcp6Status(Dhcp6StatusCode.Success, "ok ✓"), parsed.Status);
        Assert.True(parsed.RapidCommit);
        Assert.Equal((byte)255, parsed.Preference);
        Assert.Equal(new Dhcp6Option(39999, [1, 2, 3]), parsed.Options[^1]);
        Assert.Equal(made.ToArray(), parsed.ToArray());
    }

    [Fact]
    public void The_client_fqdn_gives_the_host_name()
    {
        // Flags 0, then "guest1.vm.test" as a partial wire name (RFC 4704 §4.1).
        var fqdn = new Dhcp6Option(Dhcp6OptionCode.ClientFqdn, [0, 6, .. "guest1"u8.ToArray(), 2, .. "vm"u8.ToArray()]);
        var message = new Dhcp6Message(Dhcp6MessageType.Solicit, 1, [fqdn]);
        Assert.Equal("guest1", message.ClientHostName);
    }

    [Theory]
    [InlineData("", "shorter than a DHCPv6 header")]
    [InlineData("01a1b2", "shorter than a DHCPv6 header")]
    [InlineData("0ca1b2c3", "not a client/server message")]
    [InlineData("00a1b2c3", "not a client/server message")]
    [InlineData("01a1b2c3000100", "cut off")]
    [InlineData("01a1b2c30001000e0001", "claims 14 bytes")]
    [InlineData("01a1b2c3000100020001", "outside 3-130")]
    [InlineData("01a1b2c30001000500010001aa", "DUID-LLT is shorter")]
    [InlineData("01a1b2c300010006000400010203", "DUID-UUID is not 18 bytes")]
    [InlineData("01a1b2c3000300080000000100000000", "IA_NA is shorter than 12")]
    [InlineData("01a1b2c30003001000000001000000000000000000050002", "in an IA_NA")]
    [InlineData("01a1b2c300030010000000010000000000000000" + "00050000", "IA address is shorter")]
    [InlineData("01a1b2c300060003001700", "odd length")]
    [InlineData("01a1b2c30008000100", "elapsed time option is not 2 bytes")]
    [InlineData("01a1b2c3000e000100", "rapid commit option has data")]
    [InlineData("01a1b2c3000d000100", "status code option is shorter")]
    [InlineData("01a1b2c300170004fd000005", "not a list of IPv6 addresses")]
    [InlineData("01a1b2c300180004027600", "claims 4 bytes")]
    [InlineData("01a1b2c30018000302766d", "domain list")]
    [InlineData("01a1b2c300180005c00c000000", "domain list")]
    [InlineData("01a1b2c3" + "0001000500030001aa" + "0001000500030001aa", "appears twice")]
    [InlineData("01a1b2c3" + "0003000c000000010000000000000000" + "0003000c000000010000000000000000", "IA_NA 1 appears twice")]
    public void Malformed_messages_are_refused_with_a_reason(string hex, string reason)
    {
        Assert.False(Dhcp6Message.TryParse(Convert.FromHexString(hex), out var message, out var problem));
        Assert.Null(message);
        Assert.Contains(reason, problem);
    }

    [Theory]
    [InlineData("00:01:00:01:2a:3b:4c:5d:52:54:00:12:34:56", DuidType.LinkLayerPlusTime)]
    [InlineData("00:02:00:00:ab:11:01:02:03:04:05:06:07:08", DuidType.EnterpriseNumber)]
    [InlineData("00:03:00:01:52:54:00:12:34:56", DuidType.LinkLayer)]
    [InlineData("00:04:c4:d2:a5:1e:3c:0a:4b:1b:9d:37:6a:3e:5f:0c:1b:2d", DuidType.Uuid)]
    public void Duids_of_every_type_read_and_print_in_libvirts_form(string text, DuidType type)
    {
        var duid = Duid.Parse(text);
        Assert.Equal(type, duid.Type);
        Assert.Equal(text, duid.ToString());
    }

    [Fact]
    public void Duid_text_accepts_single_digits_and_upper_case_and_prints_canonically()
    {
        Assert.Equal("00:03:00:01:52:54:00:0a:0b:0c", Duid.Parse("0:3:0:1:52:54:0:A:B:C").ToString());
        Assert.Equal(Duid.Parse("00:03:00:01:52:54:00:0a:0b:0c"), Duid.FromLinkLayer(System.Net.NetworkInformation.PhysicalAddress.Parse("52-54-00-0A-0B-0C")));
        Assert.Equal("00:04:c4:d2:a5:1e:3c:0a:4b:1b:9d:37:6a:3e:5f:0c:1b:2d", Duid.FromUuid(Guid.Parse("c4d2a51e-3c0a-4b1b-9d37-6a3e5f0c1b2d")).ToString());
    }

    [Theory]
    [InlineData("00:03:00:01:52:54:00:0a:0b:0c")]
    [InlineData("0003000152540:a:b:c")]
    [InlineData("000300015254000a0b0c")]
    [InlineData("00::03:00:01:52:54:00:a:b:c")]
    public void Duid_text_is_read_as_dnsmasq_reads_an_id(string text) =>
        Assert.Equal("00:03:00:01:52:54:00:0a:0b:0c", Duid.Parse(text).ToString());

    [Theory]
    [InlineData("")]
    [InlineData("00:03:")]
    [InlineData(":::")]
    [InlineData("00:03:00:01")]
    [InlineData("00:03:zz:01:52")]
    [InlineData("00-03-00-01-52")]
    public void Bad_duid_text_is_refused(string text) =>
        Assert.False(Duid.TryParse(text, out _, out _));
}
