namespace VirtualNetworking.Core.Ports;

/// <summary>/proc/sys/net values; keys are relative to /proc/sys (e.g. net/ipv4/ip_forward).</summary>
public interface ISysctl
{
    /// <summary>Null when the key does not exist (e.g. IPv6 disabled on the host).</summary>
    string? Read(string key);
    void Write(string key, string value);
}
