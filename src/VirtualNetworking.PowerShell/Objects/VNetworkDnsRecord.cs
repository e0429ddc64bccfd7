using VirtualNetworking.Core.Dns;
using VirtualNetworking.Core.Live;

namespace VirtualNetworking;

/// <summary>A record a network's DNS answers itself, and where it comes from (Get-VNetworkDnsRecord).</summary>
public sealed class VNetworkDnsRecord
{
    internal VNetworkDnsRecord(NetworkDnsRecord record)
    {
        Network = record.Network;
        Name = record.Record.Name.ToString();
        Type = DnsRecordText.Of(record.Record.Type);
        Data = DnsRecordText.Of(record.Record.Data);
        Ttl = record.Ttl;
        Source = record.Record.Source;
    }

    public string Network { get; }
    public string Name { get; }
    /// <summary>A, AAAA, PTR, TXT or SRV.</summary>
    public string Type { get; }
    /// <summary>The address, target name, text or "priority weight port target", as dig shows it.</summary>
    public string Data { get; }
    /// <summary>Seconds; 0 (dnsmasq's default for local names) means guests ask again each time.</summary>
    public uint Ttl { get; }
    /// <summary>Lease, Reservation, Host (&lt;dns&gt;&lt;host&gt;), Gateway, Txt or Srv.</summary>
    public DnsRecordSource Source { get; }

    public override string ToString() => $"{Name} {Type} {Data}";
}
