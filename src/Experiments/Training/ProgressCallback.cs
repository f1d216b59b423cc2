namespace Steerability.Experiments.Training;

/// <summary>
/// Reports progress on the calling thread, in order. (Progress&lt;T&gt; posts each report to the thread pool when
/// there is no synchronisation context, as in a console program, so reports could arrive late and out of order.)
/// </summary>
public sealed class ProgressCallback<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
