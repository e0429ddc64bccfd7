using System.Net;
using System.Text;
using VirtualNetworking.Core.Dns;
using static VirtualNetworking.Core.Tests.Dns.DnsTestKit;

namespace VirtualNetworking.Core.Tests.Dns;

public class DnsMessageTests
{
    [Fact]
    public void Every_record_type_round_trips()
    {
        var owner = N("host.example.com");
        var response = new DnsMessage
        {
            Id = 0xBEEF, IsResponse = true, Opcode = DnsOpcode.Query, Authoritative = true, RecursionDesired = true,
            RecursionAvailable = true, CheckingDisabled = true, ResponseCode = DnsResponseCode.NXDomain,
            Edns = new DnsEdns(1232, 0, DnssecOk: true) { Options = [0, 10, 0, 2, 0xAB, 0xCD] },
        };
        response.Questions.Add(new DnsQuestion(owner, DnsType.ANY));
        response.Answers.Add(DnsRecord.Address(owner, 60, Ip("192.168.122.10")));
        response.Answers.Add(DnsRecord.Address(owner, 60, Ip("fd00::10")));
        response.Answers.Add(DnsRecord.Ptr(N("10.122.168.192.in-addr.arpa"), 0, owner));
        response.Answers.Add(DnsRecord.Txt(owner, 5, new DnsTxtData([Encoding.ASCII.GetBytes("one"), [], new byte[255]])));
        response.Answers.Add(DnsRecord.Srv(N("_ldap._tcp.example.com"), 7, new DnsSrvData(10, 20, 389, N("ldap.example.com"))));
        response.Answers.Add(new DnsRecord(owner, DnsType.CNAME, DnsClass.IN, 1, new DnsNameData(N("other.example.com"))));
        response.Answers.Add(new DnsRecord(owner, DnsType.MX, DnsClass.IN, 1, new DnsMxData(10, N("mail.example.com"))));
        response.Answers.Add(new DnsRecord(owner, (DnsType)99, DnsClass.IN, 1, new DnsOpaqueData([1, 2, 3])));
        response.Answers.Add(new DnsRecord(owner, DnsType.A, DnsClass.CH, 1, new DnsOpaqueData([0xC0, 0x0C, 0, 1])));
        response.Authorities.Add(DnsRecord.Soa(N("example.com"), 300, new DnsSoaData(N("ns.example.com"), N("admin.example.com"), 1, 2, 3, 4, 5)));
        response.Additionals.Add(DnsRecord.Address(N("ldap.example.com"), 0, Ip("192.168.122.20")));

        var parsed = Parse(response.ToArray());

        Assert.Equal(0xBEEF, parsed.Id);
        Assert.True(parsed.IsResponse && parsed.Authoritative && parsed.RecursionDesired && parsed.RecursionAvailable && parsed.CheckingDisabled);
        Assert.False(parsed.Truncated || parsed.AuthenticData);
        Assert.Equal(DnsResponseCode.NXDomain, parsed.ResponseCode);
        Assert.Equal(response.Questions, parsed.Questions);
        Assert.Equal(response.Answers, parsed.Answers);
        Assert.Equal(response.Authorities, parsed.Authorities);
        Assert.Equal(response.Additionals, parsed.Additionals);
        Assert.Equal(response.Edns, parsed.Edns);
    }

    [Fact]
    public void Names_are_compressed_except_srv_targets()
    {
        var owner = N("guest.example.com");
        var response = new DnsMessage { IsResponse = true };
        response.Questions.Add(new DnsQuestion(owner, DnsType.A));
        response.Answers.Add(DnsRecord.Address(owner, 0, Ip("192.168.122.10")));
        response.Answers.Add(DnsRecord.Srv(N("_x._tcp.example.com"), 0, new DnsSrvData(0, 0, 1, N("guest.example.com"))));
        var bytes = response.ToArray();

        // Question at 12 (19 octets + type/class). The A record's owner is a pointer to it.
        Assert.Equal(Pointer(12), bytes[35..37]);
        // "_x._tcp" then a pointer to "example.com" inside the question (offset 18).
        Assert.Equal(Cat([2, (byte)'_', (byte)'x', 4, (byte)'_', (byte)'t', (byte)'c', (byte)'p'], Pointer(18)), bytes[51..61]);
        // RFC 2782: the SRV target is written out in full.
        Assert.Equal(W("guest.example.com"), bytes[^19..]);
        Assert.Equal(response.Answers, Parse(bytes).Answers);
    }

    [Fact]
    public void Reads_compression_pointers_in_names_and_rdata()
    {
        var bytes = Cat(
            Header(flags: 0x8180, qd: 1, an: 2),
            W("www.example.com"), U16(1), U16(1),                               // question at 12; "example.com" at 16
            Pointer(12), U16(5), U16(1), U32(300), U16(6), [3, (byte)'w', (byte)'e', (byte)'b'], Pointer(16),
            [3, (byte)'w', (byte)'e', (byte)'b'], Pointer(16), U16(1), U16(1), U32(300), U16(4), [192, 0, 2, 1]);
        var message = Parse(bytes);
        Assert.Equal(N("www.example.com"), message.Answers[0].Name);
        Assert.Equal(new DnsNameData(N("web.example.com")), message.Answers[0].Data);
        Assert.Equal(N("web.example.com"), message.Answers[1].Name);
        Assert.Equal(new DnsAddressData(Ip("192.0.2.1")), message.Answers[1].Data);
    }

    public static TheoryData<string, byte[], string> Malformed => new()
    {
        { "shorter than a header", [0x12, 0x34, 1, 0, 0, 1], "shorter than a DNS header" },
        { "a pointer to itself", Cat(Header(), Pointer(12), U16(1), U16(1)), "points forward or into its own name" },
        { "a pointer loop through two names", Cat(Header(qd: 2), [1, (byte)'a'], Pointer(18), U16(1), U16(1), [1, (byte)'b'], Pointer(12), U16(1), U16(1)), "points forward or into its own name" },
        { "a pointer forward", Cat(Header(), Pointer(14), W("a"), U16(1), U16(1)), "points forward" },
        { "a pointer out of range", Cat(Header(), Pointer(0x3FFF), U16(1), U16(1)), "points forward" },
        { "a pointer into the header", Cat(Header(qd: 2), W("a"), U16(1), U16(1), Pointer(4), U16(1), U16(1)), "into the header" },
        { "a cut-off pointer", Cat(Header(), [3, (byte)'a', (byte)'b', (byte)'c', 0xC0]), "cut off" },
        { "a label longer than 63 (type 0x40)", Cat(Header(), [64], new byte[64], [0], U16(1), U16(1)), "label type 0x40" },
        { "a reserved label type (0x80)", Cat(Header(), [0x80, 0], U16(1), U16(1)), "label type 0x80" },
        { "a name longer than 255", Cat(Header(), Enumerable.Repeat(Cat([63], new byte[63]), 4).SelectMany(b => b).ToArray(), [0], U16(1), U16(1)), "longer than 255" },
        { "a name longer than 255 through pointers", LongNameThroughPointers(), "longer than 255" },
        { "a label past the end", Cat(Header(), [10, (byte)'a', (byte)'b', (byte)'c', (byte)'d', (byte)'e']), "past the end" },
        { "a question cut off", Cat(Header(), W("a"), U16(1)), "question is cut off" },
        { "counts larger than the data", Cat(Header(qd: 1, an: 2000), W("a"), U16(1), U16(1)), "the counts claim" },
        { "a record header cut off", Cat(Header(an: 1), W("a"), U16(1), U16(1), W("a"), U16(1), U16(1), U32(0)), "record header is cut off" },
        { "RDATA past the end", Cat(Header(an: 1), W("a"), U16(1), U16(1), [0], U16(1), U16(1), U32(0), U16(40), [1, 2, 3, 4]), "runs past the end" },
        { "an A record of 5 octets", Cat(Header(an: 1), W("a"), U16(1), U16(1), [0], U16(1), U16(1), U32(0), U16(5), [1, 2, 3, 4, 5]), "not 4" },
        { "a TXT string past its RDATA", Cat(Header(an: 1), W("a"), U16(1), U16(1), [0], U16(16), U16(1), U32(0), U16(3), [5, (byte)'a', (byte)'b']), "TXT string runs past" },
        { "an empty TXT", Cat(Header(an: 1), W("a"), U16(1), U16(1), [0], U16(16), U16(1), U32(0), U16(0)), "holds no string" },
        { "a PTR name past its RDATA", Cat(Header(an: 1), W("a"), U16(1), U16(1), [0], U16(12), U16(1), U32(0), U16(2), W("abc")), "past the end" },
        { "an SOA without its numbers", Cat(Header(an: 1), W("a"), U16(1), U16(1), [0], U16(6), U16(1), U32(0), U16(6), [0, 0], U32(1)), "five 32-bit" },
        { "trailing octets", Cat(Header(), W("a"), U16(1), U16(1), [0]), "follow the last record" },
        { "an OPT in the answer section", Cat(Header(an: 1), W("a"), U16(1), U16(1), [0], U16(41), U16(1232), U32(0), U16(0)), "OPT record is misplaced" },
        { "two OPT records", Cat(Header(ar: 2), W("a"), U16(1), U16(1), [0], U16(41), U16(1232), U32(0), U16(0), [0], U16(41), U16(1232), U32(0), U16(0)), "OPT record is misplaced" },
        { "an OPT not owned by the root", Cat(Header(ar: 1), W("a"), U16(1), U16(1), W("a"), U16(41), U16(1232), U32(0), U16(0)), "OPT record is misplaced" },
        { "an EDNS option past its OPT", Cat(Header(ar: 1), W("a"), U16(1), U16(1), [0], U16(41), U16(1232), U32(0), U16(6), U16(10), U16(8), [1, 2]), "EDNS option runs past" },
        { "too many pointers", PointerChain(200), "too many compression pointers" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Refuses_malformed_messages_without_throwing(string what, byte[] bytes, string reason)
    {
        Assert.False(DnsMessage.TryParse(bytes, out var message, out var problem), what);
        Assert.Null(message);
        Assert.Contains(reason, problem);
    }

    [Fact]
    public void A_chain_of_backward_pointers_within_the_limit_is_fine() =>
        Assert.Equal(N("a"), Parse(PointerChain(100)).Answers[1].Name);

    [Fact]
    public void An_answer_too_big_for_the_limit_is_truncated_to_its_question_and_opt()
    {
        var response = ManyAddresses(count: 40, edns: new DnsEdns(1232));
        var full = response.ToArray(DnsMessage.MaxLength, out var truncatedOverTcp);
        Assert.False(truncatedOverTcp);
        Assert.True(full.Length > 512);

        var bytes = response.ToArray(512, out var truncated);
        Assert.True(truncated);
        Assert.True(bytes.Length <= 512);
        var parsed = Parse(bytes);
        Assert.True(parsed.Truncated);
        Assert.Equal(response.Questions, parsed.Questions);
        Assert.Empty(parsed.Answers);
        Assert.Equal(new DnsEdns(1232), parsed.Edns);
        Assert.Equal(40, Parse(full).Answers.Count);
    }

    [Fact]
    public void Additional_records_that_do_not_fit_are_left_out_without_tc()
    {
        var response = ManyAddresses(count: 2, edns: null);
        for (var i = 0; i < 40; i++) response.Additionals.Add(DnsRecord.Address(N($"extra{i}.example.com"), 0, Ip($"192.0.2.{i}")));
        var bytes = response.ToArray(512, out var truncated);
        var parsed = Parse(bytes);
        Assert.False(truncated);
        Assert.False(parsed.Truncated);
        Assert.Equal(2, parsed.Answers.Count);
        Assert.InRange(parsed.Additionals.Count, 1, 39);
        Assert.Equal(response.Additionals.Take(parsed.Additionals.Count), parsed.Additionals);
    }

    [Fact]
    public void Badvers_carries_its_upper_bits_in_the_opt_record()
    {
        var response = new DnsMessage { IsResponse = true, ResponseCode = DnsResponseCode.BadVers, Edns = new DnsEdns(1232) };
        var bytes = response.ToArray();
        Assert.Equal(0, bytes[3] & 0xF);
        Assert.Equal(1, bytes[^6]);                       // the OPT TTL's first octet: extended RCODE 1 → 16
        Assert.Equal(DnsResponseCode.BadVers, Parse(bytes).ResponseCode);
        Assert.Throws<InvalidOperationException>(() => new DnsMessage { ResponseCode = DnsResponseCode.BadVers }.ToArray());
    }

    [Theory]
    [InlineData(DnsTransport.Udp, null, 512)]
    [InlineData(DnsTransport.Udp, 100, 512)]
    [InlineData(DnsTransport.Udp, 1000, 1000)]
    [InlineData(DnsTransport.Udp, 4096, 1232)]
    [InlineData(DnsTransport.Tcp, null, 65535)]
    [InlineData(DnsTransport.Tcp, 1232, 65535)]
    public void Response_limits_follow_transport_and_edns(DnsTransport transport, int? advertised, int limit) =>
        Assert.Equal(limit, DnsMessage.ResponseLimit(transport, advertised is { } size ? new DnsEdns((ushort)size) : null));

    [Fact]
    public void Tcp_framing_prefixes_the_length_and_finds_pipelined_messages()
    {
        var first = Query("a.example.com", DnsType.A, id: 1);
        var second = Query("b.example.com", DnsType.AAAA, id: 2);
        var stream = Cat(DnsTcpFraming.Frame(first), DnsTcpFraming.Frame(second));
        Assert.Equal(U16(first.Length), stream[..2]);

        Assert.False(DnsTcpFraming.TryReadMessage(stream.AsSpan(0, 1), out _, out _));
        Assert.False(DnsTcpFraming.TryReadMessage(stream.AsSpan(0, first.Length + 1), out _, out _));
        Assert.True(DnsTcpFraming.TryReadMessage(stream, out var message, out var consumed));
        Assert.Equal(first, message.ToArray());
        Assert.True(DnsTcpFraming.TryReadMessage(stream.AsSpan(consumed), out message, out var consumedSecond));
        Assert.Equal(second, message.ToArray());
        Assert.Equal(stream.Length, consumed + consumedSecond);
        Assert.Throws<ArgumentException>(() => DnsTcpFraming.Frame(new byte[65536]));
    }

    private static DnsMessage ManyAddresses(int count, DnsEdns? edns)
    {
        var owner = N("many.example.com");
        var response = new DnsMessage { IsResponse = true, Edns = edns };
        response.Questions.Add(new DnsQuestion(owner, DnsType.AAAA));
        for (var i = 0; i < count; i++) response.Answers.Add(DnsRecord.Address(owner, 0, Ip($"fd00::{i + 1:x}")));
        return response;
    }

    /// <summary>
    /// Question "a" at 12; answer 1 is an opaque record whose RDATA is a chain of <paramref name="pointers"/> pointers,
    /// each to the one before and the first to the question; answer 2's owner points to the chain's end: "a" again,
    /// reached through pointers + 1 jumps.
    /// </summary>
    private static byte[] PointerChain(int pointers)
    {
        var bytes = new List<byte>(Cat(Header(qd: 1, an: 2), W("a"), U16(1), U16(1), [0], U16(99), U16(1), U32(0), U16(2 * pointers)));
        var previous = 12;
        for (var i = 0; i < pointers; i++)
        {
            var at = bytes.Count;
            bytes.AddRange(Pointer(previous));
            previous = at;
        }
        bytes.AddRange(Cat(Pointer(previous), U16(1), U16(1), U32(0), U16(4), [192, 0, 2, 1]));
        return [.. bytes];
    }

    private static byte[] LongNameThroughPointers()
    {
        // Question 1: 63a.63a.root (129 octets); question 2: 63b.63b + pointer to question 1 → 129 + 128 = 257.
        var first = Cat([63], new byte[63], [63], new byte[63], [0]);
        return Cat(Header(qd: 2), first, U16(1), U16(1), [63], new byte[63], [63], new byte[63], Pointer(12), U16(1), U16(1));
    }
}
