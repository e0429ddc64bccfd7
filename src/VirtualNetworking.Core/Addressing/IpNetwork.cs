using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Numerics;

namespace VirtualNetworking.Core.Addressing;

/// <summary>An IPv4 or IPv6 prefix (address + length), with the arithmetic networks need.</summary>
public readonly record struct IpNetwork(IPAddress Address, int PrefixLength)
{
    public bool IsIPv6 => Address.AddressFamily == AddressFamily.InterNetworkV6;
    public int MaxPrefix => IsIPv6 ? 128 : 32;

    /// <summary>Parses "10.0.5.0/24". With <paramref name="requireNetworkAddress"/> host bits must be zero.</summary>
    public static bool TryParse(string? text, bool requireNetworkAddress, [NotNullWhen(true)] out IpNetwork? network, out string? problem)
    {
        network = null;
        problem = null;
        if (string.IsNullOrWhiteSpace(text)) { problem = "it is empty"; return false; }
        var slash = text.IndexOf('/');
        if (slash < 0) { problem = "it has no prefix length (write it as CIDR, e.g. 10.0.5.0/24)"; return false; }
        if (!IPAddress.TryParse(text.AsSpan(0, slash), out var address) || address.ToString().Contains('%'))
        { problem = $"'{text[..slash]}' is not an IP address"; return false; }
        var max = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        if (!int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, null, out var prefix) || prefix > max)
        { problem = $"'{text[(slash + 1)..]}' is not a prefix length from 0 to {max}"; return false; }
        var candidate = new IpNetwork(address, prefix);
        if (requireNetworkAddress && !candidate.Network.Equals(address))
        { problem = $"host bits are set (the network address is {candidate.Network}/{prefix})"; return false; }
        network = candidate;
        return true;
    }

    public static IpNetwork Parse(string text) =>
        TryParse(text, false, out var n, out var problem) ? n.Value : throw new FormatException($"'{text}' is not a CIDR prefix: {problem}.");

    public IPAddress Network => FromInteger(ToInteger(Address) & Mask(PrefixLength, MaxPrefix), IsIPv6);
    public IPAddress Broadcast => FromInteger(ToInteger(Address) | ~Mask(PrefixLength, MaxPrefix) & AllOnes(MaxPrefix), IsIPv6);
    public IpNetwork Canonical => new(Network, PrefixLength);

    /// <summary>The first usable host (network + 1; for /31 and /32 the network itself).</summary>
    public IPAddress FirstHost => PrefixLength >= MaxPrefix - 1 ? Network : Offset(Network, 1);
    /// <summary>The last usable host (IPv4: broadcast − 1; IPv6: the last address).</summary>
    public IPAddress LastHost => PrefixLength >= MaxPrefix - 1 || IsIPv6 ? Broadcast : Offset(Broadcast, -1);

    public bool Contains(IPAddress address) =>
        address.AddressFamily == Address.AddressFamily &&
        (ToInteger(address) & Mask(PrefixLength, MaxPrefix)) == (ToInteger(Address) & Mask(PrefixLength, MaxPrefix));

    public bool Overlaps(IpNetwork other) =>
        other.IsIPv6 == IsIPv6 &&
        (PrefixLength <= other.PrefixLength ? Contains(other.Address) : other.Contains(Address));

    public IPAddress SubnetMask => IsIPv6 ? throw new InvalidOperationException("IPv6 has no netmask.")
        : FromInteger(Mask(PrefixLength, 32), false);

    public override string ToString() => $"{Address}/{PrefixLength}";

    /// <summary>
    /// The address as a number (IPv4 in the low 32 bits). UInt128 rather than BigInteger: every start checks its
    /// subnets against all of the host's addresses and routes, and BigInteger made that the cost that grew with them.
    /// </summary>
    public static UInt128 ToInteger(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        UInt128 value = 0;
        foreach (var b in bytes[..written]) value = value << 8 | b;
        return value;
    }

    /// <summary>The low 32 (IPv4) or 128 bits of <paramref name="value"/> as an address.</summary>
    public static IPAddress FromInteger(UInt128 value, bool ipv6)
    {
        Span<byte> bytes = stackalloc byte[ipv6 ? 16 : 4];
        for (var i = bytes.Length - 1; i >= 0; i--, value >>= 8) bytes[i] = (byte)value;
        return new IPAddress(bytes);
    }

    public static IPAddress Offset(IPAddress address, long delta)
    {
        var value = ToInteger(address);
        return FromInteger(delta >= 0 ? value + (UInt128)delta : value - (UInt128)(-delta), address.AddressFamily == AddressFamily.InterNetworkV6);
    }

    /// <summary>Compares two addresses of one family numerically.</summary>
    public static int Compare(IPAddress a, IPAddress b) => ToInteger(a).CompareTo(ToInteger(b));

    /// <summary>Prefix length of a contiguous IPv4 netmask, or null when the mask has holes.</summary>
    public static int? PrefixFromNetmask(IPAddress netmask)
    {
        if (netmask.AddressFamily != AddressFamily.InterNetwork) return null;
        var value = (uint)ToInteger(netmask);
        var prefix = BitOperations.PopCount(value);
        return value == (prefix == 0 ? 0u : uint.MaxValue << (32 - prefix)) ? prefix : null;
    }

    /// <summary>libvirt's default prefix for an &lt;ip&gt; without netmask or prefix: classful for IPv4, /64 for IPv6.</summary>
    public static int ClassfulPrefix(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6) return 64;
        var first = address.GetAddressBytes()[0];
        return first < 128 ? 8 : first < 192 ? 16 : first < 224 ? 24 : 32;
    }

    // UInt128 shifts count modulo 128, so all 128 bits need their own case.
    private static UInt128 AllOnes(int bits) => bits >= 128 ? UInt128.MaxValue : (UInt128.One << bits) - 1;
    private static UInt128 Mask(int prefix, int bits) => AllOnes(bits) ^ AllOnes(bits - prefix);
}
