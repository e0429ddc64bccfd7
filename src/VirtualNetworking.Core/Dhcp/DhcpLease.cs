using System.Net;
using System.Net.NetworkInformation;

namespace VirtualNetworking.Core.Dhcp;

public enum DhcpLeaseState
{
    /// <summary>Held for a client between OFFER and REQUEST; never persisted.</summary>
    Offered,
    /// <summary>ACKed to the client.</summary>
    Bound,
    /// <summary>A client DECLINEd it (someone else uses it); quarantined until <see cref="DhcpLease.Expires"/>.</summary>
    Declined,
}

/// <summary>One address and who holds it. <see cref="Expires"/> null means infinite.</summary>
public sealed record DhcpLease(
    IPAddress Address,
    PhysicalAddress HardwareAddress,
    byte[]? ClientId,
    string? HostName,
    DateTimeOffset? Expires,
    DhcpLeaseState State)
{
    public bool IsExpired(DateTimeOffset now) => Expires is { } e && e <= now;

    // byte[] compares by reference in a record; leases compare by content.
    public bool Equals(DhcpLease? other) =>
        other is not null && Address.Equals(other.Address) && HardwareAddress.Equals(other.HardwareAddress) &&
        (ClientId ?? []).AsSpan().SequenceEqual(other.ClientId ?? []) && (ClientId is null) == (other.ClientId is null) &&
        HostName == other.HostName && Expires == other.Expires && State == other.State;

    public override int GetHashCode() => HashCode.Combine(Address, HardwareAddress, HostName, Expires, State);
}

public enum DhcpLeaseChangeKind { Upsert, Remove }

/// <summary>A change the host must make durable (lease file + fsync) before it sends the reply it came with.</summary>
public sealed record DhcpLeaseChange(DhcpLeaseChangeKind Kind, DhcpLease Lease);
