//! What an uploaded file really is, read from its content and never from its name (the `infer`
//! crate's magic numbers and OOXML detection), and the checks a council's file must pass before
//! it is stored: no programs, no archives that expand without bound (a zip bomb in a DOCX or
//! XLSX) or carry macros, no CSV cell a spreadsheet would run as a formula.

use std::io::Read;

use app::visit::FileType;

/// The most a DOCX or XLSX may expand to when opened.
pub const MAX_EXPANDED_BYTES: u64 = 100 * 1024 * 1024;
/// The most parts a DOCX or XLSX may have.
pub const MAX_PARTS: usize = 2_000;

/// The file's type, or a sentence saying why it is refused.
pub fn sniff(content: &[u8]) -> Result<FileType, String> {
    if content.is_empty() {
        return Err("The file is empty.".into());
    }
    let Some(kind) = infer::get(content) else {
        return text(content);
    };
    match kind.mime_type() {
        "application/pdf" => Ok(FileType::Pdf),
        "image/png" => Ok(FileType::Png),
        "image/jpeg" => Ok(FileType::Jpeg),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => {
            office(content, "word/")?;
            Ok(FileType::Docx)
        }
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => {
            office(content, "xl/")?;
            Ok(FileType::Xlsx)
        }
        _ if kind.matcher_type() == infer::MatcherType::App => Err(format!(
            "This file is a program ({}), not a document, whatever its name says: it was not stored.",
            kind.mime_type()
        )),
        "application/zip" => {
            // infer names a DOCX or XLSX whose parts come in an unusual order a plain zip: the
            // parts' names say which it is.
            match office_folder(content) {
                Some("word/") => office(content, "word/").map(|()| FileType::Docx),
                Some(_) => office(content, "xl/").map(|()| FileType::Xlsx),
                None => Err(
                    "This file is a zip archive; the pack takes PDF, Word (.docx), Excel (.xlsx), \
                     CSV, PNG and JPEG files."
                        .into(),
                ),
            }
        }
        other => Err(format!(
            "This file is {other}; the pack takes PDF, Word (.docx), Excel (.xlsx), CSV, PNG and \
             JPEG files."
        )),
    }
}

/// A file infer does not know: UTF-8 text in CSV shape, with no formula cells.
fn text(content: &[u8]) -> Result<FileType, String> {
    let not_accepted = || {
        "This file is not one the pack takes: PDF, Word (.docx), Excel (.xlsx), CSV, PNG or JPEG."
            .to_string()
    };
    let text = std::str::from_utf8(content).map_err(|_| not_accepted())?;
    if text.contains('\0') {
        return Err(not_accepted());
    }
    formula_cells(text.as_bytes())?;
    Ok(FileType::Csv)
}

/// Refuses a CSV with a cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, a tab or a
/// carriage return first), naming its line and column; a signed number is a number, not a formula.
pub fn formula_cells(content: &[u8]) -> Result<(), String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(content);
    for record in reader.records() {
        let record = record.map_err(|error| format!("This CSV file cannot be read: {error}."))?;
        let line = record.position().map_or(0, csv::Position::line);
        for (at, cell) in record.iter().enumerate() {
            let Some(first) = cell.chars().next() else {
                continue;
            };
            let risky = matches!(first, '=' | '+' | '-' | '@' | '\t' | '\r');
            let number = matches!(first, '+' | '-') && cell.trim().parse::<f64>().is_ok();
            if risky && !number {
                return Err(format!(
                    "Line {line}, column {}: the cell starts with “{}”, which a spreadsheet would \
                     run as a formula. Remove it, or put an apostrophe before it, and upload again.",
                    at + 1,
                    first.escape_default()
                ));
            }
        }
    }
    Ok(())
}

/// Whether an archive's part names make it a Word ("word/") or Excel ("xl/") file.
fn office_folder(content: &[u8]) -> Option<&'static str> {
    let archive = zip::ZipArchive::new(std::io::Cursor::new(content)).ok()?;
    let names: Vec<&str> = archive.file_names().collect();
    if !names.contains(&"[Content_Types].xml") {
        return None;
    }
    ["word/", "xl/"]
        .into_iter()
        .find(|folder| names.iter().any(|name| name.starts_with(folder)))
}

/// Opens a DOCX or XLSX archive and reads every part, counting what it really expands to (the
/// sizes an archive declares can lie): refused above `MAX_EXPANDED_BYTES` or `MAX_PARTS`, with
/// macros, or without the `folder` its kind must have.
fn office(content: &[u8], folder: &str) -> Result<(), String> {
    let broken = || "This Office file is damaged and cannot be opened.".to_string();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(content)).map_err(|_| broken())?;
    if archive.len() > MAX_PARTS {
        return Err(format!(
            "This Office file has {} parts; a real document has far fewer, so it was not stored.",
            archive.len()
        ));
    }
    let mut expanded: u64 = 0;
    let mut has_folder = false;
    let mut sink = vec![0u8; 64 * 1024];
    for index in 0..archive.len() {
        let mut part = archive.by_index(index).map_err(|_| broken())?;
        let name = part.name().to_ascii_lowercase();
        if name.ends_with("vbaproject.bin") || name.ends_with(".bin") && name.contains("activex") {
            return Err(
                "This Office file carries macros or embedded programs, which the pack does not \
                 take: save it as a plain .docx or .xlsx and upload again."
                    .into(),
            );
        }
        has_folder |= name.starts_with(folder);
        loop {
            let read = part.read(&mut sink).map_err(|_| broken())?;
            if read == 0 {
                break;
            }
            expanded += read as u64;
            if expanded > MAX_EXPANDED_BYTES {
                return Err(format!(
                    "This Office file expands to more than {} MB when opened (a “zip bomb”), so it \
                     was not stored.",
                    MAX_EXPANDED_BYTES / (1024 * 1024)
                ));
            }
        }
    }
    if has_folder { Ok(()) } else { Err(broken()) }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    /// A zip archive with the given parts, deflated.
    pub(crate) fn archive(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut buffer = std::io::Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut buffer);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, content) in parts {
            zip.start_file(*name, options).unwrap();
            zip.write_all(content).unwrap();
        }
        zip.finish().unwrap();
        buffer.into_inner()
    }

    fn docx(extra: &[(&str, &[u8])]) -> Vec<u8> {
        let mut parts: Vec<(&str, &[u8])> = vec![
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", b"<w:document/>"),
        ];
        parts.extend_from_slice(extra);
        archive(&parts)
    }

    #[test]
    fn types_come_from_the_content() {
        assert_eq!(sniff(b"%PDF-1.7\n%...").unwrap(), FileType::Pdf);
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap(),
            FileType::Png
        );
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]).unwrap(),
            FileType::Jpeg
        );
        assert_eq!(sniff(&docx(&[])).unwrap(), FileType::Docx);
        let xlsx = archive(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("xl/workbook.xml", b"<w/>"),
        ]);
        assert_eq!(sniff(&xlsx).unwrap(), FileType::Xlsx);
        assert_eq!(
            sniff(b"council,value\nEastbrook,12\n").unwrap(),
            FileType::Csv
        );
    }

    #[test]
    fn programs_archives_and_empty_files_are_refused_whatever_their_name() {
        let mut windows = b"MZ\x90\0\x03\0\0\0".to_vec();
        windows.resize(256, 0);
        let refusal = sniff(&windows).unwrap_err();
        assert!(refusal.contains("program"), "{refusal}");
        let mut elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0".to_vec();
        elf.resize(128, 0);
        assert!(sniff(&elf).unwrap_err().contains("program"));
        let zip = archive(&[("notes.txt", b"hello")]);
        assert!(sniff(&zip).unwrap_err().contains("zip archive"));
        assert!(sniff(b"").unwrap_err().contains("empty"));
        assert!(
            sniff(&[0xC3, 0x28, 0, 1]).is_err(),
            "binary that is not UTF-8"
        );
    }

    #[test]
    fn a_docx_that_expands_without_bound_or_carries_macros_is_refused() {
        let zeros = vec![0u8; 101 * 1024 * 1024];
        let bomb = docx(&[("word/media/padding.bin", &zeros)]);
        assert!(bomb.len() < 1024 * 1024, "{} bytes compressed", bomb.len());
        let refusal = sniff(&bomb).unwrap_err();
        assert!(refusal.contains("zip bomb"), "{refusal}");
        let macros = docx(&[("word/vbaProject.bin", b"\0\0")]);
        assert!(sniff(&macros).unwrap_err().contains("macros"));
    }

    #[test]
    fn formula_cells_are_refused_with_their_line_and_column() {
        let refusal = sniff(b"council,value\nEastbrook,=HYPERLINK(\"x\")\n").unwrap_err();
        assert!(refusal.starts_with("Line 2, column 2"), "{refusal}");
        assert!(
            sniff(b"a,b\n@SUM(A1),1\n")
                .unwrap_err()
                .starts_with("Line 2, column 1")
        );
        assert!(sniff(b"a,b\nx,\"\tcmd\"\n").is_err());
        assert_eq!(
            sniff(b"year,change\n2024,-3.5\n2025,+2\n").unwrap(),
            FileType::Csv
        );
    }
}
