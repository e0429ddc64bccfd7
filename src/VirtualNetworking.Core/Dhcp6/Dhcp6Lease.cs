using System.Net;
using VirtualNetworking.Core.Dhcp;

namespace VirtualNetworking.Core.Dhcp6;

public enum Dhcp6LeaseState
{
    /// <summary>Given to the client in a Reply.</summary>
    Bound,
    /// <summary>A client Declined it (someone else uses it); out of the pool until <see cref="Dhcp6Lease.Expires"/>.</summary>
    Declined,
}

/// <summary>
/// One address and the identity association holding it: DHCPv6 binds addresses to (DUID, IAID), not to a client
/// (RFC 8415 §12). A declined record keeps who declined it, for the log. <see cref="Expires"/> null means infinite.
/// </summary>
public sealed record Dhcp6Lease(IPAddress Address, Duid ClientId, uint Iaid, string? HostName, DateTimeOffset? Expires, Dhcp6LeaseState State)
{
    public bool IsExpired(DateTimeOffset now) => Expires is { } e && e <= now;

    internal Dhcp6Binding Binding => new(ClientId, Iaid);
}

/// <summary>An identity association: what a DHCPv6 lease is keyed by.</summary>
internal readonly record struct Dhcp6Binding(Duid ClientId, uint Iaid);

/// <summary>A change the host must make durable (lease file + fsync) before it sends the reply it came with.</summary>
public sealed record Dhcp6LeaseChange(DhcpLeaseChangeKind Kind, Dhcp6Lease Lease);
