using System.Net;
using VirtualNetworking.Core.Problems;

namespace VirtualNetworking.Core.Dns;

/// <summary>Which section of a reply a record came from.</summary>
public enum DnsSection
{
    Answer,
    Authority,
    Additional,
}

/// <summary>One record of a reply, with the section it came from.</summary>
public sealed record DnsReplyRecord(DnsRecord Record, DnsSection Section);

/// <summary>
/// The pure half of asking a DNS server a question as a stub resolver does: the question from what a user typed, the
/// query (recursion desired, EDNS with a 1232-octet buffer), and the checks a reply must pass to answer it.
/// </summary>
public static class DnsLookup
{
    /// <summary>
    /// The question for <paramref name="name"/>: an IP address asks for its PTR record (as dig -x does) unless another type
    /// is given; a name asks for <paramref name="type"/>, A when none is given. Throws VNetworkDnsNameInvalid.
    /// </summary>
    public static DnsQuestion Question(string name, DnsType? type)
    {
        // Only a dotted quad or an IPv6 literal: IPAddress.TryParse also takes "10" and "10.1", which are names here.
        if (type is null or DnsType.PTR && IPAddress.TryParse(name, out var address) && (name.Contains(':') || name.Count(c => c == '.') == 3))
            return new DnsQuestion(DnsName.ReverseOf(address), DnsType.PTR);
        if (!DnsName.TryParse(name, out var parsed) || parsed.IsRoot)
            throw new NetworkProblemException(ErrorIds.DnsNameInvalid, ProblemCategory.InvalidArgument,
                $"'{name}' is not a domain name or an IP address. Give a name such as web1 or web1.example.com (labels of 1-63 letters, digits or hyphens, 255 octets in all), or an address for its PTR record.",
                name);
        return new DnsQuestion(parsed, type ?? DnsType.A);
    }

    public static byte[] Query(DnsQuestion question, ushort id)
    {
        var query = new DnsMessage { Id = id, RecursionDesired = true, Edns = new DnsEdns(DnsMessage.EdnsUdpLimit) };
        query.Questions.Add(question);
        return query.ToArray();
    }

    /// <summary>The reply to the query <paramref name="id"/> for <paramref name="question"/>, or why <paramref name="reply"/> is not one.</summary>
    public static DnsMessage? ReadReply(byte[] reply, ushort id, DnsQuestion question, out string? problem)
    {
        if (!DnsMessage.TryParse(reply, out var message, out problem)) return null;
        problem = !message.IsResponse || message.Id != id ? "it is not a response to the query that was sent"
            // A truncated reply may leave out its question; a whole one must echo it (RFC 1035 §4.1.2; case may differ).
            : !message.Truncated && (message.Questions is not [var q] || !q.Name.Equals(question.Name) || q.Type != question.Type) ? "it answers another question"
            : null;
        return problem is null ? message : null;
    }

    /// <summary>The records of every section, answers first, in the order the server sent them.</summary>
    public static IReadOnlyList<DnsReplyRecord> Records(DnsMessage reply) =>
        [
            .. reply.Answers.Select(r => new DnsReplyRecord(r, DnsSection.Answer)),
            .. reply.Authorities.Select(r => new DnsReplyRecord(r, DnsSection.Authority)),
            .. reply.Additionals.Select(r => new DnsReplyRecord(r, DnsSection.Additional)),
        ];
}
