import Foundation
import HDF5
import Testing
import TestSupport
@testable import Results

/// Refusals and failures name the file and the reason, and never lose what is recorded.
@Suite struct ResultsStoreErrorTests {
    @Test func aFileOfAnotherStudyConfigurationIsRefusedWithBothDigests() throws {
        let folder = TemporaryFolder()
        let url = folder.file("results.h5")
        let first = ResultsStore(url: url)
        try first.createOrOpen(study: StudyFixtures.identity(name: "freeze-study", digest: "1111aaaa"))
        try first.beginTestRun("none", StudyFixtures.info())
        let before = try Data(contentsOf: url)

        let other = ResultsStore(url: url)
        do {
            try other.createOrOpen(study: StudyFixtures.identity(name: "freeze-study-m", digest: "2222bbbb"))
            Issue.record("a different digest was accepted")
        } catch let error as ResultsStoreError {
            let message = error.description
            #expect(message.contains(url.path))
            #expect(message.contains("1111aaaa") && message.contains("2222bbbb"))
            #expect(message.contains("'freeze-study'") && message.contains("'freeze-study-m'"))
        }
        #expect(try Data(contentsOf: url) == before)
        #expect(throws: ResultsStoreError.notOpenedForWriting(file: url.path)) {
            try other.beginTestRun("backbone", StudyFixtures.info())
        }
    }

    @Test func aFileThatIsNotHDF5IsLeftUntouched() throws {
        let folder = TemporaryFolder()
        let url = folder.file("results.h5")
        let text = Data("epoch,map50\n0,0.5\n".utf8)
        try text.write(to: url)
        let store = ResultsStore(url: url)
        #expect(throws: ResultsStoreError.notHDF5(file: url.path)) { try store.createOrOpen(study: StudyFixtures.identity()) }
        #expect(throws: ResultsStoreError.notHDF5(file: url.path)) { try store.readStudy() }
        #expect(ResultsStoreError.notHDF5(file: url.path).description.contains("not an HDF5 file"))
        #expect(try Data(contentsOf: url) == text)
    }

    @Test func anHDF5FileWithoutTheStudyAttributesIsNotAResultsFile() throws {
        let folder = TemporaryFolder()
        let url = folder.file("other.h5")
        do {
            let file = try HDF5File(path: url.path, mode: .createNew)
            try file.root.write("weights", [1.0, 2.0])
        }
        #expect(throws: ResultsStoreError.notAResultsFile(file: url.path, reason: "no root attribute 'configuration_digest'")) {
            try ResultsStore(url: url).createOrOpen(study: StudyFixtures.identity())
        }
    }

    @Test func aTruncatedHDF5FileIsReportedAsDamaged() throws {
        let folder = TemporaryFolder()
        let url = folder.file("results.h5")
        try ResultsStore(url: url).createOrOpen(study: StudyFixtures.identity())
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(40).write(to: url)  // signature kept, the rest gone
        do {
            _ = try ResultsStore(url: url, lockWait: 0.2).readStudy()
            Issue.record("a truncated file was read")
        } catch let error as ResultsStoreError {
            guard case .unreadable(let file, _) = error else { Issue.record("unexpected \(error)"); return }
            #expect(file == url.path)
            #expect(error.description.contains("damaged"))
        }
    }

    @Test func aFolderThatCannotBeCreatedIsNamed() throws {
        let folder = TemporaryFolder()
        let blocker = folder.file("not-a-folder")
        try Data("x".utf8).write(to: blocker)
        let url = blocker.appendingPathComponent("results.h5")
        do {
            try ResultsStore(url: url).createOrOpen(study: StudyFixtures.identity())
            Issue.record("created a file under a regular file")
        } catch let error as ResultsStoreError {
            guard case .cannotCreate(let file, let reason) = error else { Issue.record("unexpected \(error)"); return }
            #expect(file == url.path)
            #expect(reason.contains(blocker.path))
        }
    }

    @Test func aFileLockedByAReaderIsReportedAfterWaiting() throws {
        let folder = TemporaryFolder()
        let url = folder.file("results.h5")
        let store = ResultsStore(url: url, lockWait: 0.3)
        try store.createOrOpen(study: StudyFixtures.identity())
        var reader: HDF5File? = try HDF5File(path: url.path, mode: .readOnly)  // like h5py holding the file open
        let start = Date()
        #expect(throws: ResultsStoreError.self) { try store.beginTestRun("none", StudyFixtures.info()) }
        #expect(Date().timeIntervalSince(start) >= 0.25)
        do {
            try store.beginTestRun("none", StudyFixtures.info())
        } catch let error as ResultsStoreError {
            #expect(error.description.contains("locked"))
        }
        #expect(reader != nil)
        reader = nil
        // Once the reader is gone, writing works again.
        let afterwards = ResultsStore(url: url)
        try afterwards.createOrOpen(study: StudyFixtures.identity())
        try afterwards.beginTestRun("none", StudyFixtures.info())
        #expect(try afterwards.scenarioNames() == ["none"])
    }

    @Test(arguments: ["", ".hidden", "a/b", "two words"])
    func scenarioNamesThatCannotBeGroupsAndFoldersAreRefused(name: String) throws {
        let folder = TemporaryFolder()
        let store = ResultsStore(url: folder.file("results.h5"))
        try store.createOrOpen(study: StudyFixtures.identity())
        #expect(throws: ResultsStoreError.self) { try store.beginTestRun(name, StudyFixtures.info()) }
        #expect(try store.scenarioNames().isEmpty)
    }

    @Test func readingAMissingFileOrScenarioNamesIt() throws {
        let folder = TemporaryFolder()
        let url = folder.file("absent.h5")
        #expect(throws: ResultsStoreError.noFile(file: url.path)) { try ResultsStore(url: url).readStudy() }
        let store = ResultsStore(url: folder.file("results.h5"))
        try store.createOrOpen(study: StudyFixtures.identity())
        #expect(throws: ResultsStoreError.noRun(file: store.url.path, run: StudyFixtures.key("none"))) { try store.read(StudyFixtures.key("none")) }
    }
}
