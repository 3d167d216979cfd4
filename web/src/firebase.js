// Firebase Auth + Firestore (client SDK): sign-in, and reads that go
// through the security rules.
import { initializeApp } from 'firebase/app';
import {
  getAuth, connectAuthEmulator, onAuthStateChanged, signInAnonymously,
  signInWithEmailAndPassword, createUserWithEmailAndPassword, signOut, EmailAuthProvider, linkWithCredential,
} from 'firebase/auth';
import {
  getFirestore, connectFirestoreEmulator, doc, getDoc, collection, query, where, orderBy, getDocs,
} from 'firebase/firestore';

export function initFirebase(config) {
  const app = initializeApp(config.firebase);
  const auth = getAuth(app);
  const db = getFirestore(app);
  if (config.emulators) {
    connectAuthEmulator(auth, config.emulators.auth, { disableWarnings: true });
    connectFirestoreEmulator(db, config.emulators.firestore.host, config.emulators.firestore.port);
  }
  return { auth, db };
}

export function watchUser(auth, callback) {
  return onAuthStateChanged(auth, callback);
}

export async function signInWithEmail(auth, email, password, create) {
  if (create) return createUserWithEmailAndPassword(auth, email, password);
  return signInWithEmailAndPassword(auth, email, password);
}

export const signInAsGuest = (auth) => signInAnonymously(auth);
export const logOut = (auth) => signOut(auth);

// A guest keeps everything by turning the anonymous account into an email
// account: same uid, so its sessions, missions and enrollments stay its own.
export async function linkGuestToEmail(auth, email, password) {
  const result = await linkWithCredential(auth.currentUser, EmailAuthProvider.credential(email, password));
  await result.user.reload();
  return result.user;
}

// { status: 'ok', mission, enrollment } | { status: 'not_found' } | { status: 'private' }.
// The rules let a signed-in user ask for a mission id that does not exist (so
// "not found" can be told apart) and deny someone else's private mission.
export async function readMission(db, uid, missionId) {
  let mission;
  try {
    mission = await getDoc(doc(db, 'missions', missionId));
  } catch (err) {
    if (err && err.code === 'permission-denied') return { status: 'private' };
    throw err;
  }
  if (!mission.exists()) return { status: 'not_found' };
  const enrollment = await getDoc(doc(db, 'enrollments', `${uid}_${missionId}`));
  return { status: 'ok', mission: mission.data(), enrollment: enrollment.exists() ? enrollment.data() : null };
}

// My missions, most recently used first.
export async function readMyMissions(db, uid) {
  const enrollments = await getDocs(query(collection(db, 'enrollments'), where('user_id', '==', uid)));
  const rows = await Promise.all(enrollments.docs.map(async (e) => {
    const mission = await getDoc(doc(db, 'missions', e.data().mission_id));
    return mission.exists() ? { mission: mission.data(), enrollment: e.data() } : null;
  }));
  const key = (row) => row.enrollment.last_accessed_at || row.enrollment.enrolled_at || '';
  return rows.filter(Boolean).sort((a, b) => Date.parse(key(b)) - Date.parse(key(a)));
}

// The conversation: learner turns and agent replies, merged by their shared sequence.
export async function readTurns(db, sessionId) {
  const [turns, replies] = await Promise.all(['turns', 'replies'].map(
    (name) => getDocs(query(collection(db, 'sessions', sessionId, name), orderBy('seq')))));
  return [...turns.docs, ...replies.docs].map((d) => d.data()).sort((a, b) => a.seq - b.seq);
}

// The conversation that created a mission (the learner's own session, found by its mission_id).
export async function readMissionConversation(db, uid, missionId) {
  const sessions = await getDocs(query(collection(db, 'sessions'), where('user_id', '==', uid),
    where('mission_id', '==', missionId)));
  if (sessions.empty) return null;
  return readTurns(db, sessions.docs[0].id);
}
