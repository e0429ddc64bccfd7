using VirtualNetworking.Core.Live;
using VirtualNetworking.Core.Model;

namespace VirtualNetworking;

/// <summary>
/// A port forward of a network: connections to a host port (or range) go to a guest. Its Network, Protocol, HostPort and
/// HostAddress bind Remove-VNetworkPortForward from the pipeline.
/// </summary>
public sealed class VNetworkPortForward
{
    internal VNetworkPortForward(PortForwardEntry entry)
    {
        var f = entry.Forward;
        Network = entry.Network;
        Protocol = f.Protocol.ToString();
        HostAddress = f.HostAddress?.ToString();
        HostPort = f.HostPort;
        HostPortEnd = f.HostPortLast;
        GuestAddress = f.GuestAddress.ToString();
        GuestPort = f.GuestPortFirst;
        GuestPortEnd = f.GuestPortLast;
        SourcePrefix = [.. f.SourcePrefixes];
        Description = f.Description;
        Active = entry.Active;
    }

    public string Network { get; }
    /// <summary>Tcp or Udp.</summary>
    public string Protocol { get; }
    /// <summary>Null: every address of the host (loopback only when asked for as 127.0.0.1).</summary>
    public string? HostAddress { get; }
    public int HostPort { get; }
    /// <summary>The last host port of a range; equal to HostPort for a single port.</summary>
    public int HostPortEnd { get; }
    public string GuestAddress { get; }
    public int GuestPort { get; }
    public int GuestPortEnd { get; }
    /// <summary>Who may connect (CIDR prefixes); empty: anyone.</summary>
    public string[] SourcePrefix { get; }
    public string? Description { get; }
    /// <summary>Whether its rules are in place now (the network is active).</summary>
    public bool Active { get; }

    /// <summary>"*:8080" or "203.0.113.5:8000-8010".</summary>
    public string HostEndpoint => Endpoint(HostAddress ?? "*", HostPort, HostPortEnd);

    /// <summary>"192.168.122.10:80".</summary>
    public string GuestEndpoint => Endpoint(GuestAddress, GuestPort, GuestPortEnd);

    public override string ToString() => $"{Protocol.ToLowerInvariant()} {HostEndpoint} -> {GuestEndpoint}";

    private static string Endpoint(string address, int first, int last) =>
        $"{(address.Contains(':') ? $"[{address}]" : address)}:{(first == last ? $"{first}" : $"{first}-{last}")}";
}
