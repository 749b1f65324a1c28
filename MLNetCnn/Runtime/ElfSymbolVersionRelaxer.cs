using System.Buffers.Binary;
using System.Text;

namespace MLNetCnn.Runtime;

/// <summary>
/// Drops a symbol-version requirement from an ELF64 little-endian shared library image, so that the
/// dynamic loader accepts the library next to an older runtime library that lacks that version.
/// </summary>
internal static class ElfSymbolVersionRelaxer
{
    private const uint SectionTypeStringTable = 3;
    private const uint SectionTypeRela = 4;
    private const uint SectionTypeRel = 9;
    private const uint SectionTypeDynamicSymbols = 11;
    private const uint SectionTypeVersionNeeds = 0x6ffffffe;
    private const uint SectionTypeVersionSymbols = 0x6fffffff;
    private const int ElfHeaderSize = 64;
    private const int SectionHeaderSize = 64;
    private const int SymbolSize = 24;
    private const int RelaSize = 24;
    private const int RelSize = 16;
    private const int VersionNeedSize = 16;
    private const int VersionNeedAuxSize = 16;
    private const ushort VersionIndexGlobal = 1;
    private const ushort VersionIndexMask = 0x7fff;

    private readonly record struct Section(int Index, uint Type, ulong Offset, ulong Size, uint Link, uint Info, ulong EntrySize);

    private readonly record struct NeededVersion(ulong AuxOffset, string File, string Name, ulong NameOffset, ushort Index);

    /// <summary>
    /// Rewrites <paramref name="image"/> in place so that it no longer needs <paramref name="version"/>.
    /// </summary>
    /// <remarks>
    /// The requirement is renamed to another version of equal length that the image already needs from the
    /// same library, which the loader must find anyway; the dynamic symbols bound to the dropped version
    /// become unversioned. This is only sound when no relocation uses those symbols, which is checked.
    /// The image is left unchanged when an exception is thrown.
    /// </remarks>
    /// <param name="image">The complete contents of the shared library file.</param>
    /// <param name="version">The needed version to drop, for example <c>GLIBCXX_3.4.32</c>.</param>
    /// <exception cref="InvalidDataException">
    /// The image is not a well-formed ELF64 little-endian file, does not need <paramref name="version"/>,
    /// or the requirement cannot be dropped safely.
    /// </exception>
    public static void RelaxNeededVersion(byte[] image, string version)
    {
        var sections = ReadSectionHeaders(image);
        var versionNeeds = SingleSection(sections, SectionTypeVersionNeeds, ".gnu.version_r");
        var versionSymbols = SingleSection(sections, SectionTypeVersionSymbols, ".gnu.version");
        var dynamicSymbols = SingleSection(sections, SectionTypeDynamicSymbols, ".dynsym");
        if (versionSymbols.Link != dynamicSymbols.Index)
        {
            throw new InvalidDataException(".gnu.version is not linked to .dynsym.");
        }

        var neededStrings = LinkedStringTable(sections, versionNeeds);
        var needed = ReadNeededVersions(image, versionNeeds, neededStrings);
        var matches = needed.Where(n => n.Name == version).ToList();
        if (matches.Count != 1)
        {
            throw new InvalidDataException(
                $".gnu.version_r names version '{version}' {matches.Count} times; expected exactly once.");
        }

        var target = matches[0];
        var replacement = needed
            .Where(n => n.File == target.File && n.Name != version && n.Name.Length == version.Length)
            .Select(n => n.Name)
            .Max(StringComparer.Ordinal)
            ?? throw new InvalidDataException(
                $"No other version of the same length as '{version}' is needed from '{target.File}' to rename it to.");
        if (needed.Any(n => n.AuxOffset != target.AuxOffset
                && n.NameOffset >= target.NameOffset && n.NameOffset <= target.NameOffset + (ulong)version.Length))
        {
            throw new InvalidDataException($"The name string of version '{version}' is shared with another version entry.");
        }

        var symbolStrings = LinkedStringTable(sections, dynamicSymbols);
        var symbols = SectionBytes(image, dynamicSymbols, ".dynsym");
        var versions = SectionBytes(image, versionSymbols, ".gnu.version");
        if (dynamicSymbols.EntrySize != SymbolSize || symbols.Length % SymbolSize != 0)
        {
            throw new InvalidDataException($".dynsym entries are not {SymbolSize} bytes long.");
        }

        var symbolCount = symbols.Length / SymbolSize;
        if (versions.Length != symbolCount * sizeof(ushort))
        {
            throw new InvalidDataException(
                $".gnu.version has {versions.Length / sizeof(ushort)} entries but .dynsym has {symbolCount} symbols.");
        }

        var relocated = SymbolsUsedByRelocations(image, sections, dynamicSymbols.Index);
        var bound = new List<int>();
        for (var symbol = 0; symbol < symbolCount; symbol++)
        {
            if ((BinaryPrimitives.ReadUInt16LittleEndian(versions[(symbol * sizeof(ushort))..]) & VersionIndexMask) != target.Index)
            {
                continue;
            }

            var entry = symbols.Slice(symbol * SymbolSize, SymbolSize);
            var name = ReadString(image, symbolStrings, BinaryPrimitives.ReadUInt32LittleEndian(entry), ".dynsym name").Text;
            if (BinaryPrimitives.ReadUInt16LittleEndian(entry[6..]) != 0)
            {
                throw new InvalidDataException($"Symbol '{name}' is defined by the image but bound to needed version '{version}'.");
            }

            if (relocated.Contains((uint)symbol))
            {
                throw new InvalidDataException(
                    $"Symbol '{name}' needs version '{version}' and is used by a relocation, so that version cannot be dropped.");
            }

            bound.Add(symbol);
        }

        foreach (var symbol in bound)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(versions[(symbol * sizeof(ushort))..], VersionIndexGlobal);
        }

        Encoding.Latin1.GetBytes(replacement).CopyTo(Slice(image, target.NameOffset, (ulong)replacement.Length, "version name"));
        BinaryPrimitives.WriteUInt32LittleEndian(Slice(image, target.AuxOffset, sizeof(uint), "vna_hash"), ElfHash(replacement));
    }

    private static List<Section> ReadSectionHeaders(byte[] image)
    {
        if (image.Length < ElfHeaderSize || !image.AsSpan(0, 4).SequenceEqual("\u007FELF"u8))
        {
            throw new InvalidDataException("The file is not an ELF file.");
        }

        if (image[4] != 2 || image[5] != 1)
        {
            throw new InvalidDataException("Only 64-bit little-endian ELF files are supported.");
        }

        var header = image.AsSpan(0, ElfHeaderSize);
        var tableOffset = BinaryPrimitives.ReadUInt64LittleEndian(header[0x28..]);
        var entrySize = BinaryPrimitives.ReadUInt16LittleEndian(header[0x3a..]);
        var count = BinaryPrimitives.ReadUInt16LittleEndian(header[0x3c..]);
        if (entrySize != SectionHeaderSize || count == 0)
        {
            throw new InvalidDataException(
                $"Unsupported section header table ({count} entries of {entrySize} bytes; expected {SectionHeaderSize}-byte entries).");
        }

        var table = Slice(image, tableOffset, (ulong)count * SectionHeaderSize, "The section header table");
        var sections = new List<Section>(count);
        for (var index = 0; index < count; index++)
        {
            var entry = table.Slice(index * SectionHeaderSize, SectionHeaderSize);
            sections.Add(new Section(
                index,
                Type: BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]),
                Offset: BinaryPrimitives.ReadUInt64LittleEndian(entry[24..]),
                Size: BinaryPrimitives.ReadUInt64LittleEndian(entry[32..]),
                Link: BinaryPrimitives.ReadUInt32LittleEndian(entry[40..]),
                Info: BinaryPrimitives.ReadUInt32LittleEndian(entry[44..]),
                EntrySize: BinaryPrimitives.ReadUInt64LittleEndian(entry[56..])));
        }

        return sections;
    }

    private static Section SingleSection(List<Section> sections, uint type, string name)
    {
        var found = sections.Where(s => s.Type == type).ToList();
        return found.Count == 1
            ? found[0]
            : throw new InvalidDataException($"Expected exactly one {name} section (type 0x{type:x}) but found {found.Count}.");
    }

    private static Section LinkedStringTable(List<Section> sections, Section section)
    {
        return section.Link < sections.Count && sections[(int)section.Link].Type == SectionTypeStringTable
            ? sections[(int)section.Link]
            : throw new InvalidDataException($"Section {section.Index} does not link to a string table.");
    }

    private static List<NeededVersion> ReadNeededVersions(byte[] image, Section versionNeeds, Section strings)
    {
        var table = SectionBytes(image, versionNeeds, ".gnu.version_r");
        var needed = new List<NeededVersion>();
        ulong entryOffset = 0;
        for (uint entryIndex = 0; entryIndex < versionNeeds.Info; entryIndex++)
        {
            var entry = Slice(table, entryOffset, VersionNeedSize, ".gnu.version_r entry");
            if (BinaryPrimitives.ReadUInt16LittleEndian(entry) != 1)
            {
                throw new InvalidDataException($"Unsupported .gnu.version_r entry version {BinaryPrimitives.ReadUInt16LittleEndian(entry)}.");
            }

            var auxCount = BinaryPrimitives.ReadUInt16LittleEndian(entry[2..]);
            var file = ReadString(image, strings, BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]), "vn_file").Text;
            var auxOffset = entryOffset + BinaryPrimitives.ReadUInt32LittleEndian(entry[8..]);
            for (var auxIndex = 0; auxIndex < auxCount; auxIndex++)
            {
                var aux = Slice(table, auxOffset, VersionNeedAuxSize, ".gnu.version_r auxiliary entry");
                var name = ReadString(image, strings, BinaryPrimitives.ReadUInt32LittleEndian(aux[8..]), "vna_name");
                needed.Add(new NeededVersion(
                    versionNeeds.Offset + auxOffset, file, name.Text, name.Offset, BinaryPrimitives.ReadUInt16LittleEndian(aux[6..])));
                var nextAux = BinaryPrimitives.ReadUInt32LittleEndian(aux[12..]);
                if (nextAux == 0 && auxIndex + 1 < auxCount)
                {
                    throw new InvalidDataException($"The .gnu.version_r auxiliary chain of '{file}' ends early.");
                }

                auxOffset += nextAux;
            }

            var next = BinaryPrimitives.ReadUInt32LittleEndian(entry[12..]);
            if (next == 0 && entryIndex + 1 < versionNeeds.Info)
            {
                throw new InvalidDataException(".gnu.version_r chain ends early.");
            }

            entryOffset += next;
        }

        return needed;
    }

    private static HashSet<uint> SymbolsUsedByRelocations(byte[] image, List<Section> sections, int dynamicSymbolsIndex)
    {
        var used = new HashSet<uint>();
        foreach (var section in sections.Where(s => (s.Type == SectionTypeRela || s.Type == SectionTypeRel) && s.Link == dynamicSymbolsIndex))
        {
            var entrySize = section.Type == SectionTypeRela ? RelaSize : RelSize;
            var relocations = SectionBytes(image, section, $"relocation section {section.Index}");
            if (section.EntrySize != (ulong)entrySize || relocations.Length % entrySize != 0)
            {
                throw new InvalidDataException($"Relocation section {section.Index} entries are not {entrySize} bytes long.");
            }

            for (var offset = 0; offset < relocations.Length; offset += entrySize)
            {
                used.Add((uint)(BinaryPrimitives.ReadUInt64LittleEndian(relocations[(offset + 8)..]) >> 32));
            }
        }

        return used;
    }

    private static (string Text, ulong Offset) ReadString(byte[] image, Section strings, uint index, string what)
    {
        var table = SectionBytes(image, strings, "string table");
        if (index >= table.Length)
        {
            throw new InvalidDataException($"{what} offset {index} is outside its string table.");
        }

        var length = table[(int)index..].IndexOf((byte)0);
        if (length < 0)
        {
            throw new InvalidDataException($"{what} at offset {index} is not NUL-terminated.");
        }

        return (Encoding.Latin1.GetString(table.Slice((int)index, length)), strings.Offset + index);
    }

    private static Span<byte> SectionBytes(byte[] image, Section section, string what) =>
        Slice(image, section.Offset, section.Size, what);

    private static Span<byte> Slice(Span<byte> data, ulong offset, ulong length, string what)
    {
        if (offset > (ulong)data.Length || length > (ulong)data.Length - offset)
        {
            throw new InvalidDataException(
                $"{what} (offset {offset}, length {length}) lies outside the available {data.Length} bytes.");
        }

        return data.Slice((int)offset, (int)length);
    }

    private static uint ElfHash(string name)
    {
        uint hash = 0;
        foreach (var character in name)
        {
            hash = (hash << 4) + (byte)character;
            var high = hash & 0xf0000000;
            hash ^= high >> 24;
            hash &= ~high;
        }

        return hash;
    }
}
