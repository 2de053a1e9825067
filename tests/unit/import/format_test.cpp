// Format detection from content, and the readers' positions for bad documents.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "import/document_reader.hpp"
#include "import/format.hpp"

namespace cz::import {
namespace {

using namespace std::string_literals;

TEST(ImportFormat, DetectsEachFormatFromContent) {
  EXPECT_EQ(*detect_format("{\"_id\":\"a\"}\n{\"_id\":\"b\"}\n"), Format::JsonLines);
  EXPECT_EQ(*detect_format("{\"_id\":\"a\"}"), Format::JsonLines);
  EXPECT_EQ(*detect_format("\xEF\xBB\xBF  {\"a\":\"{\\n\"}\n"), Format::JsonLines);
  EXPECT_EQ(*detect_format("[{\"_id\":\"a\"},{\"_id\":\"b\"}]"), Format::JsonArray);
  EXPECT_EQ(*detect_format("\n[\n  {\n    \"_id\": \"a\"\n  }\n]\n"), Format::JsonArray);
  EXPECT_EQ(*detect_format("{\n  \"_id\": \"a\"\n}\n{\n  \"_id\": \"b\"\n}\n"), Format::JsonStream);
  EXPECT_EQ(*detect_format(" \n\t"), Format::Empty);
  EXPECT_EQ(*detect_format(""), Format::Empty);
  // {"a": "b"} as BSON: length 14, type 0x02 (string), "a\0", length 2, "b\0", terminator.
  const std::string bson =
      "\x0e\x00\x00\x00\x02"
      "a\x00\x02\x00\x00\x00"
      "b\x00\x00"s;
  EXPECT_EQ(*detect_format(bson), Format::Bson);
  EXPECT_EQ(*detect_format("\x05\x00\x00\x00\x00"s), Format::Bson);
  EXPECT_FALSE(detect_format("_id,room_id\n1,2\n").ok());
  EXPECT_FALSE(detect_format("\x0e\x00\x00\x00\x42zzzz"s).ok());  // not a BSON element type
}

class ImportReader : public ::testing::Test {
 protected:
  std::string write(const std::string& content) {
    path_ = (std::filesystem::temp_directory_path() /
             ("cz-import-test-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name()))
                .string();
    std::ofstream(path_, std::ios::binary) << content;
    return path_;
  }
  void TearDown() override { std::filesystem::remove(path_); }

  std::vector<RawDocument> read_all(const std::string& content) {
    const std::string path = write(content);
    auto format = detect_format(content);
    EXPECT_TRUE(format.ok());
    format_ = *format;
    auto reader = open_reader(path, *format);
    std::vector<RawDocument> docs;
    RawDocument d;
    while (reader->next(d)) docs.push_back(d);
    return docs;
  }
  std::string path_;
  Format format_ = Format::Empty;
};

TEST_F(ImportReader, JsonLinesKeepLineNumbersAcrossBlankAndBadLines) {
  auto docs = read_all("{\"a\":1}\n\n{\"a\":2,\n{\"a\":3}\r\n{\"a\":4}");
  ASSERT_EQ(docs.size(), 4u);
  EXPECT_EQ(docs[1].json, "{\"a\":2,");  // the parser rejects it later, by line
  EXPECT_EQ(describe(format_, docs[1].position), "line 3");
  EXPECT_EQ(docs[2].json, "{\"a\":3}");
  EXPECT_EQ(docs[3].json, "{\"a\":4}");
  EXPECT_EQ(docs[3].position.line, 5u);
  EXPECT_EQ(count_documents(path_, Format::JsonLines), 4u);
}

TEST_F(ImportReader, JsonArrayCutsDocumentsAndReportsWhatIsNotOne) {
  auto docs = read_all("[\n {\"s\":\"a}{,\\\"\"},\n 42,\n {\"b\":[{}]}\n]\n");
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[0].json, "{\"s\":\"a}{,\\\"\"}");
  EXPECT_TRUE(docs[1].json.empty());
  EXPECT_EQ(docs[1].error, "not a document (an object was expected)");
  EXPECT_EQ(describe(format_, docs[1].position), "document 2 (line 3, byte 20)");
  EXPECT_EQ(docs[2].json, "{\"b\":[{}]}");
}

TEST_F(ImportReader, JsonStreamReportsATruncatedLastDocument) {
  auto docs = read_all("{\n \"a\": 1\n}\n{\n \"a\": \"unterminated\n}\n");
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].json, "{\n \"a\": 1\n}");
  EXPECT_EQ(docs[1].error, "the document is truncated: the file ends inside it");
  EXPECT_EQ(docs[1].position.line, 4u);
}

// Found by fuzzing (fuzz_import_readers): a "]" at the top level of a --pretty file (a stream,
// not an array) was reported as "not a document" at the same byte again and again, forever.
TEST_F(ImportReader, JsonStreamMovesPastAStrayClosingBracket) {
  const std::string path = write("{\n \"a\": 1\n}\n]\n{\n \"a\": 2\n}]");
  auto reader = open_reader(path, Format::JsonStream);
  std::vector<RawDocument> docs;
  RawDocument d;
  while (docs.size() < 10 && reader->next(d)) docs.push_back(d);
  ASSERT_EQ(docs.size(), 4u);
  EXPECT_EQ(docs[0].json, "{\n \"a\": 1\n}");
  EXPECT_EQ(docs[1].error, "not a document (an object was expected)");
  EXPECT_EQ(docs[1].position.offset, 12u);
  EXPECT_EQ(docs[2].json, "{\n \"a\": 2\n}");
  EXPECT_EQ(docs[3].error, "not a document (an object was expected)");
  EXPECT_EQ(reader->bytes_read(), 26u);
}

// A stray "}" at the top level of a --pretty file used to take the nesting below zero: the
// "not a document" piece then never ended and the documents after it were never read.
TEST_F(ImportReader, JsonStreamReadsTheDocumentsAfterAStrayClosingBrace) {
  auto docs = read_all("{\n \"a\": 1\n}\n}\n{\n \"a\": 2\n}\nx [1, 2] }}\n{\"a\": 3}\n");
  EXPECT_EQ(format_, Format::JsonStream);
  ASSERT_EQ(docs.size(), 5u);
  EXPECT_EQ(docs[0].json, "{\n \"a\": 1\n}");
  EXPECT_EQ(docs[1].error, "not a document (an object was expected)");
  EXPECT_EQ(docs[1].position.line, 4u);
  EXPECT_EQ(docs[2].json, "{\n \"a\": 2\n}");
  EXPECT_EQ(docs[3].error, "not a document (an object was expected)");
  EXPECT_EQ(docs[4].json, "{\"a\": 3}");
}

TEST_F(ImportReader, BsonDocumentsBecomeRelaxedExtendedJson) {
  const std::string doc =
      "\x0e\x00\x00\x00\x02"
      "a\x00\x02\x00\x00\x00"
      "b\x00\x00"s;
  // A document whose string is not UTF-8, then a good one, then a truncated length.
  const std::string bad =
      "\x0e\x00\x00\x00\x02"
      "a\x00\x02\x00\x00\x00"
      "\xff\x00\x00"s;
  auto docs = read_all(doc + bad + doc + "\x30\x00"s);
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[0].json, "{ \"a\" : \"b\" }");
  EXPECT_FALSE(docs[1].error.empty());
  EXPECT_EQ(describe(format_, docs[1].position), "document 2 (byte 14)");
  EXPECT_EQ(docs[2].json, docs[0].json);
  EXPECT_EQ(count_documents(path_, Format::Bson), 3u);
}

}  // namespace
}  // namespace cz::import
