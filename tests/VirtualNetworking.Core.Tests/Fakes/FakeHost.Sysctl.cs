using VirtualNetworking.Core.Ports;

namespace VirtualNetworking.Core.Tests.Fakes;

internal sealed partial class FakeHost : ISysctl
{
    public string? Read(string key) => Sysctls.GetValueOrDefault(key);

    public void Write(string key, string value)
    {
        Check("sysctl");
        if (!Sysctls.ContainsKey(key)) throw new InvalidOperationException($"no sysctl {key}");
        Sysctls[key] = value;
    }
}
