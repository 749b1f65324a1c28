using System.Collections;
using System.CommandLine;
using System.Reflection;
using System.Xml.Linq;
using MLNetCnn.Cli.Commands;
using MLNetCnn.Estimators;
using MLNetCnn.Training;

namespace MLNetCnn.Tests.Estimators;

/// <summary>
/// One source for every training setting: the ML.NET trainer's options take the engine's defaults and documentation,
/// and the command line's flags left alone leave the trainer's defaults. These fail when a copy drifts.
/// </summary>
[TestClass]
public sealed class TrainerSettingsTests
{
    private static readonly FieldInfo[] OptionFields =
        typeof(CnnClassificationTrainer.Options).GetFields(BindingFlags.Public | BindingFlags.Instance);

    private static IEnumerable<(FieldInfo Field, PropertyInfo Engine)> Shared() =>
        OptionFields.Select(f => (Field: f, Engine: typeof(TrainingOptions).GetProperty(f.Name)!))
            .Where(p => p.Engine is not null && p.Engine.PropertyType == p.Field.FieldType);

    [TestCategory("Fast")]

    [TestMethod]
    public void TheTrainersSharedOptionsTakeTheEnginesDefaults()
    {
        var options = new CnnClassificationTrainer.Options();
        var engine = new TrainingOptions();
        var shared = Shared().ToList();

        Assert.IsGreaterThanOrEqualTo(20, shared.Count, "The trainer's options share fewer settings with TrainingOptions than expected.");
        var drifted = shared.Where(s => !Same(s.Field.GetValue(options), s.Engine.GetValue(engine))).Select(s => s.Field.Name).ToList();
        Assert.IsEmpty(drifted, "Defaults differ from TrainingOptions: " + string.Join(", ", drifted));
        CollectionAssert.AreEqual(engine.Milestones.ToArray(), options.Milestones);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void TheTrainersSharedOptionsTakeTheEnginesDocumentation()
    {
        var xml = XDocument.Load(Path.ChangeExtension(typeof(CnnClassificationTrainer).Assembly.Location, ".xml"));
        var members = xml.Descendants("member").ToDictionary(m => (string)m.Attribute("name")!);
        var ownDocs = new List<string>();
        foreach (var (field, _) in Shared())
        {
            string id = $"F:MLNetCnn.Estimators.CnnClassificationTrainer.Options.{field.Name}";
            var inherit = members[id].Element("inheritdoc");
            if ((string?)inherit?.Attribute("cref") != $"P:MLNetCnn.Training.TrainingOptions.{field.Name}")
                ownDocs.Add(field.Name);
        }
        Assert.IsEmpty(ownDocs, "Options documented apart from TrainingOptions' text: " + string.Join(", ", ownDocs));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void CommandLineFlagsLeftAloneKeepTheTrainersDefaults()
    {
        var groups = typeof(TrainerFlags).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(TrainerFlags)) && !t.IsAbstract)
            .ToList();
        Assert.IsGreaterThanOrEqualTo(5, groups.Count);
        var defaults = new CnnClassificationTrainer.Options();
        var drifted = new List<string>();
        foreach (var group in groups)
        {
            // Flags built on given defaults (ScheduleFlags, whose defaults differ in train) are built on the trainer's here.
            var flags = (TrainerFlags)(group.GetConstructor(Type.EmptyTypes) is null
                ? Activator.CreateInstance(group, defaults)
                : Activator.CreateInstance(group))!;
            var command = new RootCommand();
            flags.AddTo(command);
            var options = new CnnClassificationTrainer.Options();
            flags.ApplyTo(command.Parse([]), options);
            drifted.AddRange(OptionFields.Where(f => !Same(f.GetValue(options), f.GetValue(defaults)))
                .Select(f => $"{group.Name}: {f.Name}"));
        }
        Assert.IsEmpty(drifted, "Flags whose default is not the trainer's: " + string.Join(", ", drifted));
    }

    private static bool Same(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (string x, string y) => x == y,
        (IDictionary x, IDictionary y) => x.Count == y.Count && x.Keys.Cast<object>().All(k => y.Contains(k) && Equals(x[k], y[k])),
        (IEnumerable x, IEnumerable y) => x.Cast<object>().SequenceEqual(y.Cast<object>()),
        (Delegate, _) or (_, Delegate) => ReferenceEquals(a, b),
        _ => Equals(a, b),
    };
}
