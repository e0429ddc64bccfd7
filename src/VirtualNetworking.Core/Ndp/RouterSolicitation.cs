using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace VirtualNetworking.Core.Ndp;

/// <summary>
/// A valid Router Solicitation (RFC 4861 §4.1): who sent it and, when it said, its link-layer address.
/// <see cref="Source"/> is the unspecified address (::) when the host has no address yet.
/// </summary>
public sealed record RouterSolicitation(IPAddress Source, byte[]? SourceLinkLayerAddress)
{
    public const byte Type = 133;
    /// <summary>RFC 4861 §6.1.1: only a message that crossed no router is valid.</summary>
    public const int RequiredHopLimit = 255;
    /// <summary>Type, code, checksum and the reserved word.</summary>
    public const int HeaderLength = 8;

    /// <summary>
    /// Validates an ICMPv6 message as RFC 4861 §6.1.1 tells a router to, and reads it. Never throws: an invalid
    /// solicitation (wrong type or code, hop limit other than 255, shorter than 8 octets, an option of length 0 or
    /// running past the end, a source link-layer address from the unspecified address, a source that is not IPv6)
    /// yields false and the reason, and must be discarded silently. Unknown options are skipped by their length.
    /// The checksum is not checked here: Linux verifies it for raw ICMPv6 sockets (<see cref="Icmpv6Checksum.IsValid"/> can).
    /// </summary>
    /// <param name="message">The ICMPv6 message, from its type octet.</param>
    /// <param name="source">The IPv6 source address of the packet.</param>
    /// <param name="hopLimit">The IPv6 hop limit the packet arrived with (IPV6_RECVHOPLIMIT).</param>
    public static bool TryParse(ReadOnlySpan<byte> message, IPAddress source, int hopLimit,
        [NotNullWhen(true)] out RouterSolicitation? solicitation, [NotNullWhen(false)] out string? problem)
    {
        solicitation = null;
        if (source.AddressFamily != AddressFamily.InterNetworkV6) { problem = $"source {source} is not IPv6"; return false; }
        if (hopLimit != RequiredHopLimit) { problem = $"hop limit {hopLimit} is not {RequiredHopLimit}"; return false; }
        if (message.Length < HeaderLength) { problem = $"{message.Length} octets is shorter than a router solicitation"; return false; }
        if (message[0] != Type) { problem = $"ICMPv6 type {message[0]} is not a router solicitation"; return false; }
        if (message[1] != 0) { problem = $"code {message[1]} is not 0"; return false; }

        byte[]? linkLayer = null;
        for (var at = HeaderLength; at < message.Length;)
        {
            if (message.Length - at < 2) { problem = $"an option at octet {at} is cut off"; return false; }
            var type = message[at];
            var length = message[at + 1] * 8;
            if (length == 0) { problem = $"option {type} at octet {at} has length 0"; return false; }
            if (length > message.Length - at) { problem = $"option {type} at octet {at} runs past the end"; return false; }
            // RFC 4861 does not forbid a repeated option: the first one counts.
            if (type == NdpOptionType.SourceLinkLayerAddress && linkLayer is null) linkLayer = message.Slice(at + 2, length - 2).ToArray();
            at += length;
        }
        if (linkLayer is not null && IsUnspecified(source))
        {
            problem = "a source link-layer address option from the unspecified address";
            return false;
        }
        solicitation = new RouterSolicitation(source, linkLayer);
        problem = null;
        return true;
    }

    /// <summary>True for :: whatever its scope id (IPAddress.Equals would compare that too).</summary>
    public static bool IsUnspecified(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        return address.TryWriteBytes(bytes, out var written) && written == 16 && !bytes.ContainsAnyExcept((byte)0);
    }
}
