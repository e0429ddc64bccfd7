using VirtualNetworking.Core.Dns;
using VirtualNetworking.Core.Live;

namespace VirtualNetworking;

/// <summary>A record of the reply a network's DNS server gave to Resolve-VNetworkName.</summary>
public sealed class VNetworkDnsAnswer
{
    internal VNetworkDnsAnswer(NetworkNameLookup lookup, DnsReplyRecord answer)
    {
        Network = lookup.Network;
        Name = answer.Record.Name.ToString();
        Type = DnsRecordText.Of(answer.Record.Type);
        Ttl = answer.Record.EffectiveTtl;
        Data = DnsRecordText.Of(answer.Record.Data);
        Section = answer.Section;
        ResponseCode = lookup.ResponseCode;
        Server = lookup.Server.ToString();
    }

    public string Network { get; }
    public string Name { get; }
    public string Type { get; }
    public uint Ttl { get; }
    /// <summary>The address, target name, text or "priority weight port target", as dig shows it.</summary>
    public string Data { get; }
    public DnsSection Section { get; }
    public DnsResponseCode ResponseCode { get; }
    /// <summary>The address and port that answered: the network's bridge address, port 53.</summary>
    public string Server { get; }

    public override string ToString() => Data;
}
