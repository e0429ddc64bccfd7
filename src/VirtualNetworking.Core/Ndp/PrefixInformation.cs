using VirtualNetworking.Core.Addressing;

namespace VirtualNetworking.Core.Ndp;

/// <summary>
/// A Prefix Information option (RFC 4861 §4.6.2). <see cref="OnLink"/> is the L flag, <see cref="Autonomous"/> the A flag
/// (hosts form addresses by SLAAC); lifetimes in seconds, <see cref="RouterAdvertisement.Infinity"/> for ever.
/// </summary>
public sealed record PrefixInformation(IpNetwork Prefix, bool OnLink, bool Autonomous, uint ValidLifetime, uint PreferredLifetime)
{
    public const int Length = 32;
}
