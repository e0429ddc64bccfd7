using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Problems;

namespace VirtualNetworking.Linux.Live;

/// <summary>
/// Test-only: VNET_TEST_FAULT=fail:STEP makes a start fail at that step, hang:STEP makes it stop there
/// (for kill -9 tests). Honoured only when VNET_ROOT names a sandbox, never on a real host.
/// </summary>
public sealed class EnvironmentFaultInjector : IFaultInjector
{
    public const string Variable = "VNET_TEST_FAULT";
    private readonly string? action;
    private readonly string? step;

    private EnvironmentFaultInjector(string action, string step)
    {
        this.action = action;
        this.step = step;
    }

    public static IFaultInjector For(StatePaths paths)
    {
        var value = Environment.GetEnvironmentVariable(Variable);
        if (!paths.IsSandboxed || string.IsNullOrEmpty(value) || value.Split(':') is not [var action, var step]) return NoFaults.Instance;
        return new EnvironmentFaultInjector(action, step);
    }

    public void At(string current)
    {
        if (current != step) return;
        if (action == "hang")
        {
            File.WriteAllText(Path.Combine(Path.GetTempPath(), $"vnet-hang-{Environment.ProcessId}"), current);
            Thread.Sleep(Timeout.Infinite);
        }
        throw new NetworkProblemException(ErrorIds.TestFault, ProblemCategory.InvalidOperation,
            $"Injected failure at start step '{current}' ({Variable}).", current);
    }
}
