using System.Net;
using System.Net.NetworkInformation;

namespace VirtualNetworking.Core.Dhcp;

/// <summary>A BOOTP/DHCPv4 message (RFC 2131 §2): the fixed header plus options. Mutable so replies are built in place.</summary>
public sealed partial class DhcpPacket
{
    public const byte BootRequest = 1;
    public const byte BootReply = 2;
    public const int ServerPort = 67;
    public const int ClientPort = 68;
    /// <summary>op … file, before the magic cookie.</summary>
    public const int HeaderLength = 236;
    /// <summary>RFC 1542 §3.4: BOOTP relays and old clients expect at least this many bytes.</summary>
    public const int MinimumLength = 300;
    public const uint MagicCookie = 0x63825363;
    public const ushort BroadcastFlag = 0x8000;
    internal const int ServerNameLength = 64;
    internal const int FileLength = 128;

    public byte Op { get; set; } = BootRequest;
    public byte HardwareType { get; set; } = 1;
    public byte HardwareAddressLength { get; set; } = 6;
    public byte Hops { get; set; }
    public uint TransactionId { get; set; }
    public ushort Seconds { get; set; }
    public ushort Flags { get; set; }
    public IPAddress ClientAddress { get; set; } = IPAddress.Any;
    public IPAddress YourAddress { get; set; } = IPAddress.Any;
    public IPAddress NextServerAddress { get; set; } = IPAddress.Any;
    public IPAddress RelayAddress { get; set; } = IPAddress.Any;
    /// <summary>All 16 chaddr bytes; only the first <see cref="HardwareAddressLength"/> are the address.</summary>
    public byte[] ClientHardwareBytes { get; set; } = new byte[16];
    /// <summary>sname; empty when the field carried options (overload).</summary>
    public string ServerName { get; set; } = "";
    /// <summary>file; empty when the field carried options (overload).</summary>
    public string BootFileName { get; set; } = "";
    public DhcpOptions Options { get; } = new();

    public bool IsBroadcast
    {
        get => (Flags & BroadcastFlag) != 0;
        set => Flags = (ushort)(value ? Flags | BroadcastFlag : Flags & ~BroadcastFlag);
    }

    public PhysicalAddress ClientHardwareAddress =>
        new(ClientHardwareBytes.AsSpan(0, Math.Min((int)HardwareAddressLength, 16)).ToArray());

    public DhcpMessageType? MessageType
    {
        get => Options.GetByte(DhcpOptionCode.MessageType) is byte b && Enum.IsDefined((DhcpMessageType)b) ? (DhcpMessageType)b : null;
        set
        {
            if (value is { } v) Options.SetByte(DhcpOptionCode.MessageType, (byte)v);
            else Options.Remove(DhcpOptionCode.MessageType);
        }
    }

    public IPAddress? RequestedAddress => Options.GetAddress(DhcpOptionCode.RequestedIpAddress);
    public IPAddress? ServerIdentifier => Options.GetAddress(DhcpOptionCode.ServerIdentifier);
    /// <summary>Option 61 raw (type byte + identifier); RFC 2132 requires at least 2 bytes.</summary>
    public byte[]? ClientIdentifier => Options.Get(DhcpOptionCode.ClientIdentifier) is { Length: >= 2 } id ? id : null;
    public string? HostName => Options.GetString(DhcpOptionCode.HostName);
    public byte[] ParameterRequestList => Options.Get(DhcpOptionCode.ParameterRequestList) ?? [];
    public ushort? MaximumMessageSize => Options.GetUInt16(DhcpOptionCode.MaximumMessageSize);
    /// <summary>Option 51 in seconds; <see cref="uint.MaxValue"/> means infinite.</summary>
    public uint? LeaseTimeSeconds => Options.GetUInt32(DhcpOptionCode.LeaseTime);
}
