namespace VirtualNetworking.Core.Ports;

/// <summary>Test-only failure injection at named start steps (works only with a sandbox VNET_ROOT).</summary>
public interface IFaultInjector
{
    void At(string step);
}

public sealed class NoFaults : IFaultInjector
{
    public static readonly NoFaults Instance = new();
    public void At(string step) { }
}
