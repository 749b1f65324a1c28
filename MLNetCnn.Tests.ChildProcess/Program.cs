using Microsoft.ML;
using MLNetCnn.Estimators;

namespace MLNetCnn.Tests.ChildProcess;

/// <summary>
/// Repeats one job until the test that started it kills it:
/// <c>save-loop MODEL TARGET</c> loads the model file MODEL and saves it to TARGET with <c>SaveAtomically</c>
/// over and over, printing <c>saved N</c> after each save.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        if (args is not ["save-loop", var source, var target])
        {
            Console.Error.WriteLine("usage: save-loop MODEL TARGET");
            return 2;
        }
        var mlContext = new MLContext();
        var model = mlContext.Model.LoadFromFile(source, out var schema);
        for (long saves = 1; ; saves++)
        {
            mlContext.Model.SaveAtomically(model, schema, target);
            Console.WriteLine($"saved {saves}");
            Console.Out.Flush();
        }
    }
}
