using System.Net;

namespace VirtualNetworking.Core.Ports;

/// <summary>The kernel's connection tracking table (ctnetlink): what a port forward change must forget.</summary>
public interface IConntrack
{
    /// <summary>
    /// Deletes the entries of one protocol and IP family that <paramref name="match"/> selects; returns how many went.
    /// An entry that ends on its own meanwhile is no error. Core decides which entries (the predicate); the adapter only
    /// lists and deletes.
    /// </summary>
    /// <param name="protocol">IANA protocol number: 6 TCP, 17 UDP.</param>
    /// <param name="ipv6">The IPv6 table; otherwise the IPv4 one.</param>
    int Delete(byte protocol, bool ipv6, Func<ConntrackEntry, bool> match);
}

/// <summary>One tracked connection: its original tuple (as the first packet came) and its reply tuple (after NAT).</summary>
public sealed record ConntrackEntry(byte Protocol, ConntrackTuple Original, ConntrackTuple Reply);

public sealed record ConntrackTuple(IPAddress Source, IPAddress Destination, int SourcePort, int DestinationPort);
