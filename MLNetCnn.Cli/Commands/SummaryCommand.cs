using System.CommandLine;
using MLNetCnn.Data;

namespace MLNetCnn.Cli.Commands;

/// <summary><c>mlnetcnn summary</c>: prints a registered architecture's layers, output shapes, parameters and multiply-adds.</summary>
internal static class SummaryCommand
{
    public static Command Create(CliConsole console)
    {
        var architecture = new Option<string>("--arch") { Description = $"The architecture: {string.Join(", ", ModelZoo.Names)}.", Required = true };
        var channels = new Option<int>("--channels") { Description = "Input channels.", DefaultValueFactory = _ => 3 };
        var height = new Option<int>("--height") { Description = "Input height in pixels.", DefaultValueFactory = _ => 224 };
        var width = new Option<int>("--width") { Description = "Input width in pixels.", DefaultValueFactory = _ => 224 };
        var classes = new Option<int>("--classes") { Description = "Number of classes.", DefaultValueFactory = _ => 1000 };
        var options = FamilyOptions.Flag();

        var command = new Command("summary", "Print an architecture's layers with output shapes, parameters and multiply-adds for one input size.")
        {
            architecture, channels, height, width, classes, options,
        };
        command.SetAction(parse => CommandRunner.Run(console, () =>
        {
            var spec = new ModelSpec(new ImageShape(parse.GetValue(channels), parse.GetValue(height), parse.GetValue(width)), parse.GetValue(classes))
            {
                Options = FamilyOptions.Parse(parse.GetValue(options) ?? []),
            };
            console.Output.Write(ModelSummary.Create(parse.GetValue(architecture)!, spec).ToString());
        }));
        return command;
    }
}
