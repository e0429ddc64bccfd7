using System.Net;
using System.Runtime.InteropServices;
using System.Text;

namespace VirtualNetworking.Linux.Netlink;

/// <summary>One received netlink message: its type and flags, and the bytes after nlmsghdr.</summary>
internal readonly record struct NetlinkMessage(ushort Type, ushort Flags, uint Sequence, ReadOnlyMemory<byte> Payload)
{
    public static readonly int HeaderSize = Marshal.SizeOf<NetlinkMessageHeader>();

    /// <summary>Splits one datagram into its messages (a dump packs several into each).</summary>
    public static IEnumerable<NetlinkMessage> Split(ReadOnlyMemory<byte> datagram)
    {
        var offset = 0;
        while (datagram.Length - offset >= HeaderSize)
        {
            var header = MemoryMarshal.Read<NetlinkMessageHeader>(datagram.Span[offset..]);
            if (header.Length < HeaderSize || header.Length > datagram.Length - offset)
            {
                throw new InvalidDataException($"Malformed netlink message: length {header.Length} at offset {offset}.");
            }
            yield return new NetlinkMessage(
                header.Type, header.Flags, header.Sequence,
                datagram.Slice(offset + HeaderSize, (int)header.Length - HeaderSize));
            offset += NetlinkMessageWriter.Align((int)header.Length);
        }
    }

    /// <summary>Reads the fixed family header (ifinfomsg, ifaddrmsg, rtmsg) and parses the attributes after it.</summary>
    public T ReadHeader<T>(out NetlinkAttributes attributes) where T : unmanaged
    {
        var size = NetlinkMessageWriter.Align(Marshal.SizeOf<T>());
        if (Payload.Length < size)
        {
            throw new InvalidDataException($"Netlink message type {Type} is shorter than its {typeof(T).Name} header.");
        }
        attributes = NetlinkAttributes.Parse(Payload[size..]);
        return MemoryMarshal.Read<T>(Payload.Span);
    }
}

/// <summary>The rtattrs of one message or of one nested attribute, by type (the last one wins).</summary>
internal sealed class NetlinkAttributes
{
    // NLA_F_NESTED and NLA_F_NET_BYTEORDER ride in the type's top bits.
    private const ushort TypeMask = 0x3fff;

    private readonly Dictionary<ushort, ReadOnlyMemory<byte>> _values = [];

    public static NetlinkAttributes Parse(ReadOnlyMemory<byte> bytes)
    {
        var attributes = new NetlinkAttributes();
        var offset = 0;
        while (bytes.Length - offset >= 4)
        {
            var length = MemoryMarshal.Read<ushort>(bytes.Span[offset..]);
            var type = MemoryMarshal.Read<ushort>(bytes.Span[(offset + 2)..]);
            if (length < 4 || length > bytes.Length - offset)
            {
                break;
            }
            attributes._values[(ushort)(type & TypeMask)] = bytes.Slice(offset + 4, length - 4);
            offset += NetlinkMessageWriter.Align(length);
        }
        return attributes;
    }

    public bool TryGet(ushort type, out ReadOnlyMemory<byte> value) => _values.TryGetValue(type, out value);

    public byte[]? GetBytes(ushort type) => TryGet(type, out var value) ? value.ToArray() : null;

    public byte? GetByte(ushort type) => TryGet(type, out var value) && value.Length >= 1 ? value.Span[0] : null;

    public ushort? GetUInt16(ushort type) =>
        TryGet(type, out var value) && value.Length >= 2 ? MemoryMarshal.Read<ushort>(value.Span) : null;

    public uint? GetUInt32(ushort type) =>
        TryGet(type, out var value) && value.Length >= 4 ? MemoryMarshal.Read<uint>(value.Span) : null;

    /// <summary>A NUL-terminated string attribute.</summary>
    public string? GetString(ushort type)
    {
        if (!TryGet(type, out var value))
        {
            return null;
        }
        var span = value.Span;
        var end = span.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
    }

    public IPAddress? GetIpAddress(ushort type) =>
        TryGet(type, out var value) && value.Length is 4 or 16 ? new IPAddress(value.Span) : null;

    public NetlinkAttributes? GetNested(ushort type) => TryGet(type, out var value) ? Parse(value) : null;
}
