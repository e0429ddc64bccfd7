using System.Runtime.InteropServices;

namespace VirtualNetworking.Linux.Netlink;

/// <summary>struct nfgenmsg, the fixed header of every nfnetlink message.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NetfilterGenericMessage
{
    public byte Family;
    public byte Version;
    /// <summary>Big-endian; 0 for ctnetlink.</summary>
    public ushort ResourceId;
}
