using System.Net;

namespace VirtualNetworking.Core.Ndp;

/// <summary>
/// One RA for the host to send now on the network's bridge: <see cref="Message"/> is the ICMPv6 message (zero checksum,
/// the kernel fills it in), to <see cref="Destination"/> with hop limit 255 from the bridge's link-local address.
/// </summary>
public sealed record RouterAdvertisementSend(IPAddress Destination, byte[] Message, RouterAdvertisementReason Reason);
