using System.CommandLine;
using MLNetCnn.Cli.Commands;

var root = new RootCommand("mlnetcnn: train, evaluate and use convolutional image classifiers (LeNet-5 to MobileNet) with ML.NET and TorchSharp.")
{
    TrainCommand.Create(),
};
return root.Parse(args).Invoke();
