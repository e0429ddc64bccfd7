using System.Buffers.Binary;
using System.Net;
using System.Text;
using VirtualNetworking.Core.Dns;

namespace VirtualNetworking.Core.Dhcp6;

/// <summary>One option as it is on the wire: code and data. Messages keep them in order, so a parsed message writes back byte for byte.</summary>
public sealed record Dhcp6Option(ushort Code, byte[] Data)
{
    public static Dhcp6Option ClientId(Duid duid) => new(Dhcp6OptionCode.ClientId, duid.Bytes.ToArray());

    public static Dhcp6Option ServerId(Duid duid) => new(Dhcp6OptionCode.ServerId, duid.Bytes.ToArray());

    public static Dhcp6Option RapidCommit() => new(Dhcp6OptionCode.RapidCommit, []);

    public static Dhcp6Option Preference(byte value) => new(Dhcp6OptionCode.Preference, [value]);

    public static Dhcp6Option ElapsedTime(ushort hundredths) => new(Dhcp6OptionCode.ElapsedTime, BigEndian(hundredths));

    public static Dhcp6Option OptionRequest(params ushort[] codes) => new(Dhcp6OptionCode.OptionRequest, [.. codes.SelectMany(BigEndian)]);

    public static Dhcp6Option Status(Dhcp6Status status) => new(Dhcp6OptionCode.StatusCode, [.. BigEndian((ushort)status.Code), .. Encoding.UTF8.GetBytes(status.Message)]);

    public static Dhcp6Option DnsServers(IEnumerable<IPAddress> servers) => new(Dhcp6OptionCode.DnsServers, [.. servers.SelectMany(s => s.GetAddressBytes())]);

    /// <summary>RFC 8415 §10: names in wire format without compression.</summary>
    public static Dhcp6Option DomainList(IEnumerable<DnsName> names) => new(Dhcp6OptionCode.DomainList, [.. names.SelectMany(n => n.Wire.ToArray())]);

    public static Dhcp6Option IaNa(Dhcp6IaNa ia)
    {
        var body = new List<byte>();
        body.AddRange(BigEndian(ia.Iaid));
        body.AddRange(BigEndian(ia.T1));
        body.AddRange(BigEndian(ia.T2));
        foreach (var address in ia.Addresses) AppendOption(body, IaAddress(address));
        if (ia.Status is { } status) AppendOption(body, Status(status));
        return new(Dhcp6OptionCode.IaNa, [.. body]);
    }

    public static Dhcp6Option IaAddress(Dhcp6IaAddress address)
    {
        var body = new List<byte>(address.Address.GetAddressBytes());
        body.AddRange(BigEndian(address.PreferredLifetime));
        body.AddRange(BigEndian(address.ValidLifetime));
        if (address.Status is { } status) AppendOption(body, Status(status));
        return new(Dhcp6OptionCode.IaAddress, [.. body]);
    }

    /// <summary>Bytes on the wire: 2 for the code, 2 for the length, then the data.</summary>
    public int WireLength => 4 + Data.Length;

    public bool Equals(Dhcp6Option? other) => other is not null && Code == other.Code && Data.AsSpan().SequenceEqual(other.Data);

    public override int GetHashCode() => HashCode.Combine(Code, Data.Length);

    internal static void AppendOption(List<byte> target, Dhcp6Option option)
    {
        target.AddRange(BigEndian(option.Code));
        target.AddRange(BigEndian((ushort)option.Data.Length));
        target.AddRange(option.Data);
    }

    private static byte[] BigEndian(ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] BigEndian(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }
}

/// <summary>Status Code option (RFC 8415 §21.13): a code and a UTF-8 message for people.</summary>
public sealed record Dhcp6Status(Dhcp6StatusCode Code, string Message);

/// <summary>IA Address option (RFC 8415 §21.6). Lifetimes in seconds; <see cref="Dhcp6Message.Infinity"/> is infinite.</summary>
public sealed record Dhcp6IaAddress(IPAddress Address, uint PreferredLifetime, uint ValidLifetime, Dhcp6Status? Status = null);

/// <summary>IA_NA option (RFC 8415 §21.4): the client's identity association and the addresses in it.</summary>
public sealed record Dhcp6IaNa(uint Iaid, uint T1, uint T2, IReadOnlyList<Dhcp6IaAddress> Addresses, Dhcp6Status? Status = null)
{
    public bool Equals(Dhcp6IaNa? other) =>
        other is not null && Iaid == other.Iaid && T1 == other.T1 && T2 == other.T2 && Addresses.SequenceEqual(other.Addresses) && Status == other.Status;

    public override int GetHashCode() => HashCode.Combine(Iaid, T1, T2, Addresses.Count, Status);
}
