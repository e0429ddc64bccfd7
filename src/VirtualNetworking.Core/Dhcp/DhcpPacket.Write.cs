using System.Buffers.Binary;
using System.Text;

namespace VirtualNetworking.Core.Dhcp;

public sealed partial class DhcpPacket
{
    /// <summary>Bytes <see cref="WriteTo"/> produces: header, cookie, options, End, padded to <see cref="MinimumLength"/>.</summary>
    public int SerializedLength => Math.Max(UnpaddedLength, MinimumLength);

    /// <summary>Header, cookie, options and End, before BOOTP padding: what counts against a size limit.</summary>
    internal int UnpaddedLength
    {
        get
        {
            var length = HeaderLength + 4 + 1;
            foreach (var (_, value) in Options.Entries) length += DhcpOptions.WireLength(value);
            return length;
        }
    }

    public byte[] ToArray()
    {
        var buffer = new byte[SerializedLength];
        WriteTo(buffer);
        return buffer;
    }

    /// <summary>Writes the packet (no overload is used) and returns the byte count.</summary>
    public int WriteTo(Span<byte> buffer)
    {
        var length = SerializedLength;
        if (buffer.Length < length) throw new ArgumentException($"The buffer holds {buffer.Length} bytes; the packet needs {length}.", nameof(buffer));
        var b = buffer[..length];
        b.Clear();
        b[0] = Op;
        b[1] = HardwareType;
        b[2] = HardwareAddressLength;
        b[3] = Hops;
        BinaryPrimitives.WriteUInt32BigEndian(b[4..], TransactionId);
        BinaryPrimitives.WriteUInt16BigEndian(b[8..], Seconds);
        BinaryPrimitives.WriteUInt16BigEndian(b[10..], Flags);
        BinaryPrimitives.WriteUInt32BigEndian(b[12..], Ipv4.ToUInt32(ClientAddress));
        BinaryPrimitives.WriteUInt32BigEndian(b[16..], Ipv4.ToUInt32(YourAddress));
        BinaryPrimitives.WriteUInt32BigEndian(b[20..], Ipv4.ToUInt32(NextServerAddress));
        BinaryPrimitives.WriteUInt32BigEndian(b[24..], Ipv4.ToUInt32(RelayAddress));
        ClientHardwareBytes.AsSpan(0, Math.Min(16, ClientHardwareBytes.Length)).CopyTo(b[28..44]);
        WriteField(b.Slice(44, ServerNameLength), ServerName, nameof(ServerName));
        WriteField(b.Slice(44 + ServerNameLength, FileLength), BootFileName, nameof(BootFileName));
        BinaryPrimitives.WriteUInt32BigEndian(b[HeaderLength..], MagicCookie);

        var i = HeaderLength + 4;
        foreach (var (code, value) in Options.Entries)
        {
            // RFC 3396: a value over 255 bytes goes out as consecutive instances of the same code.
            var offset = 0;
            do
            {
                var chunk = Math.Min(255, value.Length - offset);
                b[i++] = code;
                b[i++] = (byte)chunk;
                value.AsSpan(offset, chunk).CopyTo(b[i..]);
                i += chunk;
                offset += chunk;
            } while (offset < value.Length);
        }
        b[i] = DhcpOptionCode.End;
        return length;
    }

    private static void WriteField(Span<byte> field, string text, string name)
    {
        // One byte stays zero: the fields are NUL-terminated strings.
        if (Encoding.Latin1.GetByteCount(text) >= field.Length)
            throw new InvalidOperationException($"{name} is longer than {field.Length - 1} bytes.");
        Encoding.Latin1.GetBytes(text, field);
    }
}
